# chatroom — everyday commands. Each target is plain cargo underneath, so a fresh
# machine with only a Rust toolchain can run them.

CARGO ?= cargo

.PHONY: run test lint openapi

## Start the server on 127.0.0.1:8080 with ./data (zero configuration).
run:
	$(CARGO) run --bin chatroom -- serve

## Every test of the workspace: unit, adapter, endpoint and black-box tests.
## PostgreSQL/MySQL tests run when CHATROOM_TEST_POSTGRES_URL / _MYSQL_URL are set.
test:
	$(CARGO) test --workspace --no-fail-fast

## Formatting and clippy, warnings as errors.
lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## Regenerate openapi/openapi.json from the code (commit the result).
openapi:
	$(CARGO) run --quiet --bin chatroom -- openapi > openapi/openapi.json.tmp
	mv openapi/openapi.json.tmp openapi/openapi.json
