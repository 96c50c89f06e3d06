-- GET /api/cookies with a Cookie header to read.
wrk.headers["Cookie"] = "visits=41; theme=dark; session=0123456789abcdef"
