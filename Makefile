# The front door. Every target installs what is missing first (scripts/deps.sh).
.PHONY: all build asan demo test unit bench soak fuzz clean deps build-deps

JOBS ?= 2

all: build

deps:
	@bash scripts/deps.sh

build-deps:
	@bash scripts/deps.sh build

build: build-deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build -j$(JOBS)

asan: build-deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON >/dev/null
	@cmake --build build-asan -j$(JOBS)

demo: build
	./build/databunker demo

# scripts/test.sh installs the test tools while it builds.
test: build-deps
	@bash scripts/test.sh

# libFuzzer targets (clang, ASan+UBSan) in build-fuzz/, each run FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
fuzz: deps
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

bench: deps build
	@bash bench/run.sh

soak: deps build
	@bash bench/soak.sh

clean:
	rm -rf build build-asan build-fuzz test-output
