# The two commands of the README, plus the checks CI runs.
.PHONY: demo test check fmt clippy bench

demo:
	scripts/demo.sh

test:
	scripts/test.sh

fmt:
	cargo fmt --all -- --check

clippy:
	cargo clippy --all-targets -- -D warnings

check: fmt clippy test
