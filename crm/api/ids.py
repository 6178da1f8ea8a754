# The largest id a 64-bit column holds; a larger one in a request is a 400, not a database error.
MAX_ID = 2**63 - 1
