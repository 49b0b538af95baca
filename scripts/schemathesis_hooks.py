"""Hooks for scripts/schemathesis.sh.

A multipart part's name travels in its Content-Disposition header, where control
characters are not allowed (RFC 9110 §5.5), so the server's multipart parser
refuses such a body (E1001). OpenAPI 3.0 cannot forbid them in the names of a
body's extra properties (it has no `propertyNames`), so schemathesis would send
them as "schema-valid". Bodies with such keys are not generated.
"""

import schemathesis

CONTROL = {chr(c) for c in range(0x20)} | {chr(c) for c in range(0x7F, 0xA0)}


@schemathesis.hook
def filter_body(ctx, body):
    if isinstance(body, dict):
        return not any(isinstance(key, str) and CONTROL.intersection(key) for key in body)
    return True
