"""Pages of the orders app: cart, checkout and payment, order lists and detail with their
actions, the seller's orders, and the operators' dispute desk.

All need a logged-in user; an order someone may not see answers 404. Views call the
services and selectors; domain errors are shown on the form that caused them.
"""
