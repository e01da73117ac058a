"""Schema post-processing: every operation lists the error responses it can return."""

ERROR = {"description": "Error", "content": {"application/json": {"schema": {"type": "object"}}}}
ERRORS_FOR_ALL = {
    "401": "Not signed in, or the token is missing, wrong or expired.",
    "403": "Signed in without the role this operation needs.",
}


def add_error_responses(result, generator, request, public):
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS_FOR_ALL.items():
                responses.setdefault(code, {**ERROR, "description": description})
            if operation.get("parameters") or method in ("post", "put", "patch"):
                responses.setdefault("400", {**ERROR, "description": "Invalid parameters or body."})
            if "{" in path:
                responses.setdefault("404", {**ERROR, "description": "No such object."})
            responses.setdefault("406", {**ERROR, "description": "Unsupported Accept or format."})
    return result
