"""The fuzz tests (test_fuzz_api.py) run each operation only as the callers tests/security/test_authorization_matrix.py
lets through: what the others get (401, 403, 404) is the matrix test's business, for every route and caller."""


def pytest_collection_modifyitems(config, items):
    from tests.security.test_authorization_matrix import ACCESS

    kept, dropped = [], []
    for item in items:
        label = getattr(item, "operation_label", None)
        callspec = getattr(item, "callspec", None)
        if label is None or callspec is None or "role" not in callspec.params or not item.nodeid.startswith(
                "tests/security/test_fuzz_api.py"):
            kept.append(item)
            continue
        method, path = label.split(" ", 1)
        access = ACCESS.get((method, path))
        if access is None:
            kept.append(item)  # an operation the matrix does not know: fuzzed as everyone (and the matrix fails)
        elif callspec.params["role"] in access.allow:
            kept.append(item)
        else:
            dropped.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
