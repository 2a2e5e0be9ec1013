# Thin front door over CMake: `make run` and `make test` from a fresh clone on Debian 12.
# Both install the Debian packages the build needs (only those missing), then build with CMake.

BUILD      ?= build
ASAN_BUILD ?= build/asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
# Packages the build and the tests need; installed with --no-install-recommends when missing.
# The visualizer (gui/): SDL2, SDL2_ttf, a font found with fc-match.
PACKAGES   := cmake make gcc pkg-config python3 libcriterion-dev libcjson-dev \
              gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi \
              clang libclang-rt-14-dev parallel libunicorn-dev \
              libsdl2-dev libsdl2-ttf-dev fontconfig fonts-dejavu-core
# Packages only the tests need, installed by `make test`: chromium renders the HTML reports
# (tests/reports/html_browser.sh; without it that test is skipped); Xvfb runs the visualizer's
# window test (tests/gui).
TEST_PACKAGES := chromium xvfb xauth
# libFuzzer runs (fuzz/): `make fuzz` runs each target FUZZ_SECONDS, `make test` FUZZ_TEST_SECONDS.
# Their clang build is build/libfuzzer (build/fuzz is the plain build's fuzz/ folder).
FUZZ_BUILD        ?= $(BUILD)/libfuzzer
FUZZ_TARGETS      := map kv raw kvmap tdb queue image scenario nor sidecar fs fsimage
FUZZ_SECONDS      ?= 60
FUZZ_TEST_SECONDS ?= 20
FUZZ_SEED         ?= 1

.PHONY: all deps test-deps configure build run test test-plain test-sanitize test-fuzz size clean \
        format fuzz fuzz-build fuzz-replay

all: build

# $(call install_missing,PACKAGES): apt-get installs those of PACKAGES that are not installed.
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "norbench: installing missing packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(PACKAGES))

test-deps:
	$(call install_missing,$(TEST_PACKAGES))

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/norbench run scenarios/suite

test: deps test-deps test-plain test-sanitize test-fuzz

test-plain: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNORBENCH_SANITIZE=ON $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

# The corpora are replayed by test-plain and test-sanitize (ctest cases fuzz/replay_*); this
# adds a short libFuzzer run of each target when clang is there (deps installs it).
test-fuzz: deps
	@if command -v clang >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_TEST_SECONDS); \
	else echo "norbench: no clang, so no libFuzzer runs (the corpora were replayed)"; fi

# libFuzzer executables: clang, coverage instrumentation, ASan and UBSan, in their own build.
fuzz-build: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	      -DNORBENCH_FUZZ=ON $(CMAKE_ARGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))

# One target after another (never two at once), each for FUZZ_SECONDS.
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  sh fuzz/run.sh $(FUZZ_BUILD) $$t $(FUZZ_SECONDS) $(FUZZ_SEED) || exit 1; \
	done

# Every corpus file through the plain build (any compiler): the ctest cases fuzz/replay_*.
fuzz-replay: build
	cd $(BUILD) && ctest --output-on-failure -R '^fuzz/'

size: deps
	@cmake -S engine -B $(BUILD)/arm -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/engine/cmake/arm-none-eabi.cmake >/dev/null
	@cmake --build $(BUILD)/arm -j $(JOBS) >/dev/null
	@sh engine/cmake/size-report.sh $(BUILD)/arm

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
