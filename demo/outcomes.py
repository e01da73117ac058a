"""The outcome codes the generators give their metrics (outcomes are data: places.Outcome)."""

HEALTHY_PEOPLE = "healthy_people"
STRONG_COMMUNITIES = "strong_communities"
EFFECTIVE_SERVICES = "effective_services"
