from django.urls import path

from evillage.reviews import views

app_name = "reviews"
urlpatterns = [
    path("reviews/orders/<str:order_id>/<int:number>/", views.line_review, name="line"),
    path(
        "reviews/orders/<str:order_id>/<int:number>/follow-up/",
        views.follow_up,
        name="follow_up",
    ),
    path("reviews/photos/<int:pk>/<str:size>/", views.photo, name="photo"),
    path("seller/<str:shop_id>/reviews/", views.seller_reviews, name="seller"),
    path(
        "seller/<str:shop_id>/reviews/<str:review_id>/reply/",
        views.seller_reply,
        name="reply",
    ),
]
