from django.db import models


class OrganisationKind(models.TextChoices):
    CCG = "ccg", "Clinical commissioning group"
    ACUTE_TRUST = "acute_trust", "Acute trust"
    FOUNDATION_TRUST = "foundation_trust", "Foundation trust"
    COMMUNITY_MENTAL_HEALTH_TRUST = (
        "community_mental_health_trust",
        "Community and mental health trust",
    )
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    DISTRICT_COUNCIL = "district_council", "District or borough council"
    PRIMARY_CARE = "primary_care", "Primary care"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary and community sector"
    REGULATOR = "regulator", "Regulator or national body"
    OTHER = "other", "Other"


class BoardLevel(models.TextChoices):
    SYSTEM = "system", "System"
    COUNTY = "county", "Local authority area"
    PLACE = "place", "Place"
    REGIONAL = "regional", "Regional"
    NOT_STATED = "not_stated", "Not stated"


class BoardStatus(models.TextChoices):
    ESTABLISHED = "established", "Established"
    PROPOSED = "proposed", "Proposed"
    PLANNED = "planned", "Planned"
    REFERENCED = "referenced", "Referenced only"
    REPLACED = "replaced", "Replaced"


class StatementKind(models.TextChoices):
    PURPOSE = "purpose", "Purpose"
    OBJECTIVE = "objective", "Objective"
    MEETING_FREQUENCY = "meeting_frequency", "Meeting frequency"
    CHAIR = "chair", "Chair"
    MEMBERSHIP = "membership", "Membership"
    ESTABLISHED = "established", "Established"
    REPORTING = "reporting", "Reporting"
    CONFLICT = "conflict", "Conflicting statement"


class Role(models.TextChoices):
    CHAIR = "chair", "Chair"
    CO_CHAIR = "co_chair", "Co-chair"
    VICE_CHAIR = "vice_chair", "Vice-chair"
    MEMBER = "member", "Member"
    ATTENDEE = "attendee", "Attendee"
    OBSERVER = "observer", "Observer"
    OFFICER = "officer", "Officer"


class EndReason(models.TextChoices):
    TERM_ENDED = "term_ended", "Term ended"
    RESIGNED = "resigned", "Resigned"
    REPLACED = "replaced", "Replaced"
    ROLE_CHANGED = "role_changed", "Role changed"
    ORGANISATION_LEFT = "organisation_left", "Organisation left the board"
    BOARD_DISSOLVED = "board_dissolved", "Board dissolved"
    OTHER = "other", "Other"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"
    POSTPONED = "postponed", "Postponed"


class ItemPurpose(models.TextChoices):
    DECISION = "decision", "For decision"
    DISCUSSION = "discussion", "For discussion"
    INFORMATION = "information", "For information"
    ASSURANCE = "assurance", "For assurance"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"
    DEPUTY = "deputy", "Represented by a deputy"


class InterestKind(models.TextChoices):
    FINANCIAL = "financial", "Financial"
    NON_FINANCIAL_PROFESSIONAL = "non_financial_professional", "Non-financial professional"
    NON_FINANCIAL_PERSONAL = "non_financial_personal", "Non-financial personal"
    INDIRECT = "indirect", "Indirect"


class DeclarationAction(models.TextChoices):
    NOTED = "noted", "Noted"
    LEFT_ROOM = "left_room", "Left the room for the item"
    DID_NOT_VOTE = "did_not_vote", "Did not vote"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class SuccessionKind(models.TextChoices):
    MERGER = "merger", "Merger"
    SPLIT = "split", "Split"
    BOUNDARY_CHANGE = "boundary_change", "Boundary change"
    REPLACEMENT = "replacement", "Replacement"
    RENAME = "rename", "Rename"
