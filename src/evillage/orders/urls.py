from django.urls import path

from evillage.orders.views import cart, checkout, desk, detail, evidence, lists

app_name = "orders"
urlpatterns = [
    path("cart/", cart.cart, name="cart"),
    path("cart/add/", cart.cart_add_view, name="cart_add"),
    path("cart/update/", cart.cart_update, name="cart_update"),
    path("cart/remove/", cart.cart_remove_view, name="cart_remove"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("checkout/<str:public_id>/pay/", checkout.pay, name="pay"),
    path("orders/", lists.buyer_order_list, name="buyer_orders"),
    path("orders/evidence/<str:name>.jpg", evidence.evidence_photo, name="evidence_photo"),
    path("orders/<str:public_id>/", detail.order_detail, name="detail"),
    path("orders/<str:public_id>/do/<slug:action>/", detail.order_action, name="action"),
    path("seller/orders/", lists.seller_order_list, name="seller_orders"),
    path("desk/disputes/", desk.dispute_desk, name="desk"),
    path("desk/disputes/<str:public_id>/decide/", desk.dispute_decide_view, name="dispute_decide"),
]
