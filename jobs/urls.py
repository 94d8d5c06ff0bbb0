from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.job_create, name="create"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/edit/", views.job_edit, name="edit"),
    path("client/<int:pk>/", views.client_jobs, name="client_jobs"),
    path("client/<int:pk>/new/", views.client_job_create, name="client_create"),
    path("widgets/deadlines/", views.deadlines_widget, name="deadlines_widget"),
]
