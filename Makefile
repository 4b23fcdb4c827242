# The two commands of the README, plus the checks CI runs.
.PHONY: demo test check fmt clippy bench

demo:
	scripts/demo.sh

test:
	scripts/test.sh

fmt:
	cargo fmt --all -- --check

clippy:
	cargo clippy --workspace --all-targets -- -D warnings

# Whole-process figures next to the Go-built providers (../shared/bench).
bench:
	scripts/bench.sh

check: fmt clippy test
