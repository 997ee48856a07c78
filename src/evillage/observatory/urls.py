from django.urls import path

from evillage.observatory import views

app_name = "observatory"
urlpatterns = [
    path("observatory/", views.observatory, name="observatory"),
    path("observatory/villages.csv", views.export, name="export"),
    path("observatory/report.parquet", views.export, {"fmt": "parquet"}, name="export_parquet"),
    path("observatory/report.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("observatory/villages/<str:key>/", views.village, name="village"),
]
