# The two commands of the README, plus the checks CI runs.
.PHONY: demo test check fmt clippy bench docs docs-check release

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

# dist/: the registry's release files (zip, SHA256SUMS, manifest) and a
# provider mirror for a static HTTPS host (scripts/release.py). This
# machine's platform only. MIRROR=DIR adds the release to an existing mirror
# (a copy of the bucket) instead of a new dist/mirror.
release:
	cargo build --release --bin terraform-provider-cams
	python3 scripts/release.py target/release/terraform-provider-cams --out dist $(if $(MIRROR),--mirror "$(MIRROR)")

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
