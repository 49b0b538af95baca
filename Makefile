# chatroom — everyday commands. Each target is plain cargo underneath, so a fresh
# machine with only a Rust toolchain can run them.

CARGO ?= cargo

.PHONY: run test lint openapi schemathesis bench-login bench-room

## Start the server on 127.0.0.1:8080 with ./data (zero configuration).
run:
	$(CARGO) run --bin chatroom -- serve

## Every test of the workspace: unit, adapter, endpoint and black-box tests.
## PostgreSQL/MySQL tests run when CHATROOM_TEST_POSTGRES_URL / _MYSQL_URL are set.
## Under CI (CI set) schemathesis then fuzzes the running server's /openapi.json.
test:
	$(CARGO) test --workspace --no-fail-fast
	@if [ -n "$$CI" ]; then scripts/schemathesis.sh; else echo "make test: schemathesis runs under CI or with 'make schemathesis'"; fi

## Property-based API tests against a real server (installs schemathesis into .venv).
schemathesis:
	scripts/schemathesis.sh

## Formatting and clippy, warnings as errors.
lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## Regenerate openapi/openapi.json from the code (commit the result).
openapi:
	$(CARGO) run --quiet --bin chatroom -- openapi > openapi/openapi.json.tmp
	mv openapi/openapi.json.tmp openapi/openapi.json

## Login latency (p50/p99) and logins per second against a release build;
## a benchmark, not a test: run it on an idle machine.
bench-login:
	$(CARGO) build --release --bin chatroom --bin login-bench
	target/release/login-bench target/release/chatroom 4 10

## One room under load: 100 members, 1,000 messages/s offered for 10 s, on a
## release build (deliveries/s, latency p50/p99, server RSS). A benchmark, not a test.
bench-room:
	$(CARGO) build --release --bin chatroom --bin chatroom-loadgen
	target/release/chatroom-loadgen target/release/chatroom 100 1000 10 10
