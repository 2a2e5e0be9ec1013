# Thin front door over CMake: `make run` and `make test` from a fresh clone on Debian 12.
# Both install the Debian packages the build needs (only those missing), then build with CMake.

BUILD      ?= build
ASAN_BUILD ?= build/asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
# Packages the build and the tests need; installed with --no-install-recommends when missing.
PACKAGES   := cmake make gcc pkg-config python3 libcriterion-dev libcjson-dev \
              gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi

.PHONY: all deps configure build run test test-plain test-sanitize size clean format

all: build

deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "norbench: installing missing packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/norbench run scenarios/suite

test: deps test-plain test-sanitize

test-plain: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNORBENCH_SANITIZE=ON $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

size: deps
	@cmake -S engine -B $(BUILD)/arm -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/engine/cmake/arm-none-eabi.cmake >/dev/null
	@cmake --build $(BUILD)/arm -j $(JOBS) >/dev/null
	@sh engine/cmake/size-report.sh $(BUILD)/arm

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
