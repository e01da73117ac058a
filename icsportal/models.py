"""The shared base's one table: when each API token was last used."""

from django.db import models


class TokenUse(models.Model):
    """When an API token (DRF's ``authtoken.Token``) was last used, to the minute."""

    token = models.OneToOneField(
        "authtoken.Token", primary_key=True, on_delete=models.CASCADE, related_name="use"
    )
    last_used_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_used_at"]

    def __str__(self):
        return f"token of user {self.token.user_id} last used {self.last_used_at:%Y-%m-%d %H:%M}"
