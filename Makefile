# The two commands of the README, plus the checks CI runs.
.PHONY: demo test check fmt clippy bench docs docs-check

demo:
	scripts/demo.sh

test:
	scripts/test.sh

# Regenerates docs/ from the provider schema, examples/ and templates/
# (docgen/, the cams-docs crate). `make test` fails while they are stale.
docs:
	cargo run -q -p cams-docs -- --write

docs-check:
	cargo run -q -p cams-docs -- --check

fmt:
	cargo fmt --all -- --check

clippy:
	cargo clippy --workspace --all-targets -- -D warnings

# Whole-process figures next to the Go-built providers (CAMS_BENCH_DIR: the
# benchmark harness, kept outside this repository).
bench:
	scripts/bench.sh
	scripts/bench_flows.sh

check: fmt clippy test
