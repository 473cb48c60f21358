# Thin wrapper over CMake/CTest.  The two commands a newcomer needs:
#   make demo   install what is missing, build, start cameras + server with demo data
#   (make demo-province: the same for a hub, PostgreSQL, mosquitto and three stations)
#   make test   install what is missing, build (release and ASan+UBSan), run every test
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
# Seconds per libFuzzer harness: TEST_FUZZ_SECONDS in `make test`,
# FUZZ_SECONDS in `make fuzz` (two harnesses run at a time).
TEST_FUZZ_SECONDS ?= 12
FUZZ_SECONDS ?= 300

.PHONY: all deps build build-asan build-fuzz test fuzz demo demo-province demo-province-stop bench soak clean format deb

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DWW_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

# The parsers and their libFuzzer harnesses only, with clang (tests/fuzz/).
build-fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DWW_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)

# The suite runs against the ASan+UBSan build; the release build must still
# compile cleanly with -Werror (it is what demo and bench use).  Then every
# fuzzer runs for TEST_FUZZ_SECONDS; a finding fails the target and prints
# the crash input's path.
test: build build-asan build-fuzz
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  WW_RELEASE_BUILD_DIR=$(abspath $(BUILD)) ctest --test-dir $(ASAN_BUILD) --output-on-failure -j 2 $(CTEST_ARGS)
	@scripts/run-fuzzers --build $(FUZZ_BUILD) --seconds $(TEST_FUZZ_SECONDS)

# The fuzzers for longer (FUZZ_SECONDS each; FUZZ_NAMES="rtp sdp" for some).
fuzz: build-fuzz
	@scripts/run-fuzzers --build $(FUZZ_BUILD) --seconds $(FUZZ_SECONDS) $(FUZZ_NAMES)

demo: build
	@scripts/demo

# The province on one box (issue 15): PostgreSQL, mosquitto, a hub and three
# demo stations (scripts/demo-province; DEMO_PROVINCE_SECONDS=N stops after
# N s).  Ctrl-C or `make demo-province-stop` (from another shell) cleans up.
DEMO_PROVINCE_SECONDS ?= 0
demo-province: build
	@scripts/demo-province $(if $(filter-out 0,$(DEMO_PROVINCE_SECONDS)),--seconds $(DEMO_PROVINCE_SECONDS))

demo-province-stop:
	@scripts/demo-province --stop

# The Debian package from the release build: $(BUILD)/wardwatch_<version>_<arch>.deb
# (packaging/deb/, docs/package.md).
deb: build
	@scripts/make-deb --build $(BUILD)

bench: build
	@scripts/bench

# Long soak (issue 18): churn for DURATION, growth per event printed.
DURATION ?= 20m
soak: build
	@cmake --build $(BUILD) --target camsim >/dev/null
	@scripts/gen-media $(BUILD)/media
	@WARDWATCH_BIN=$(BUILD)/wardwatch CAMSIM_BIN=$(BUILD)/tools/camsim/camsim \
	  WW_MEDIA_DIR=$(BUILD)/media WW_SOURCE_DIR=$(CURDIR) bench/soak.py --duration $(DURATION)

format:
	@clang-format -i src/*.c src/*/*.c src/*/*.h tools/camsim/*.c

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
