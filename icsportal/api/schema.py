"""Schema post-processing: every operation lists the error responses it can return, and the
OpenAPI links its views declare (``extend_schema(extensions={LINKS: {status: {name: link}}})``)
are put on its responses, where clients and schemathesis's stateful tests follow them."""

# The extension an operation declares its responses' links in; drf-spectacular has no place
# of its own for links.
LINKS = "x-portal-links"

ERROR = {"description": "Error", "content": {"application/json": {"schema": {"type": "object"}}}}
ERRORS_FOR_ALL = {
    "401": "Not signed in, or the token is missing, wrong or expired.",
    "403": "Signed in without the role this operation needs.",
    "503": "The database cannot be reached; try again after Retry-After.",
}
WRITE_CONFLICT = "Another request changed the same rows at the same time; nothing was written."


def add_error_responses(result, generator, request, public):
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            ok = responses.get("200", {}).get("content")
            if method == "get" and ok and "application/json" in ok:
                # ?format=csv (or Accept: text/csv) answers the same rows as CSV.
                ok.setdefault("text/csv", {"schema": {"type": "string"}})
            for code, description in ERRORS_FOR_ALL.items():
                responses.setdefault(code, {**ERROR, "description": description})
            if operation.get("parameters") or method in ("post", "put", "patch"):
                responses.setdefault("400", {**ERROR, "description": "Invalid parameters or body."})
            # DRF answers 404 for an unknown ?format= as well as for a missing object.
            responses.setdefault("404", {**ERROR, "description": "No such object or format."})
            if path.endswith("/auth/token/"):
                # Too many attempts from one address, or too many failures for the username
                # there; Retry-After says for how long.
                responses.setdefault(
                    "429",
                    {**ERROR, "description": "Too many attempts: try again after Retry-After."},
                )
            responses.setdefault("406", {**ERROR, "description": "Unsupported Accept or format."})
            if method in ("post", "put", "patch", "delete"):
                responses.setdefault("409", {**ERROR, "description": WRITE_CONFLICT})
            if "requestBody" in operation:
                responses.setdefault("415", {**ERROR, "description": "Unsupported Content-Type."})
    return result


def add_links(result, generator, request, public):
    """Move each operation's declared links onto the responses they start from."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for code, links in operation.pop(LINKS, {}).items():
                operation["responses"][code].setdefault("links", {}).update(links)
    return result
