from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import DetailView, ListView

from .models import Board


class BoardListView(ListView):
    template_name = "governance/board_list.html"
    context_object_name = "boards"

    def get_queryset(self):
        # place: shown in each row
        return Board.objects.select_related("place").order_by("level", "name")

    def get_context_data(self, **kwargs):
        return super().get_context_data(nav_section="boards", **kwargs)


class BoardDetailView(DetailView):
    template_name = "governance/board_detail.html"
    context_object_name = "board"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Board.objects.select_related("place", "source_document")
            .with_current_members()
            .prefetch_related("statements__source_document", "required_organisations"),
            slug=self.kwargs["slug"],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            nav_section="boards", crumbs=[("Boards", reverse("governance:board_list"))], **kwargs
        )
