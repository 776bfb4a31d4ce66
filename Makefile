# The two commands of the README:
#   make demo   build and serve the demo (synthetic corpus, index, search page)
#   make test   every check and test CI runs (.ci/run calls exactly this)
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: demo test lint rust-test python-test sigint-test e2e-test deploy-test cluster-test bench

demo:
	$(CARGO) run --release --bin yelpsearch -- demo

test: lint rust-test python-test sigint-test e2e-test deploy-test cluster-test

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --release -- -D warnings

rust-test:
	$(CARGO) test --workspace --release

python-test:
	bash tests/run-python.sh

# The Ctrl-C tests again with SIGINT ignored, as in `nohup make test &` or a CI runner.
sigint-test: python-test
	bash tests/sigint-ignored.sh

e2e-test:
	bash tests/e2e/run.sh

deploy-test:
	bash service/deploy/check.sh

cluster-test:
	bash service/deploy/loopback/run.sh
