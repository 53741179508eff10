#!/usr/bin/env bash
# Builds the libFuzzer harnesses (swiftc -sanitize=fuzzer,address) and runs each for SECONDS.
#
#   Tests/Fuzz/run-fuzzers.sh SECONDS [HARNESS...]     (default: all; JOBS=2 runs two at a time)
#
# Each harness is compiled from the parser's own sources plus Tests/Fuzz/Harnesses/<Name>Harness.swift
# as one module (the harness defines LLVMFuzzerTestOneInput with @_cdecl; libFuzzer supplies main),
# linked against the module Base (Sources/Base: JSON values, the sanitiser), built once beforehand.
# Seeds come from Tests/Fuzz/corpus/<name>/ (read-only); new inputs go to a scratch corpus under
# $FUZZ_WORK (default /tmp/manifold-fuzz) and crashes/timeouts/OOMs to $FUZZ_WORK/<name>/artifacts/.
# FUZZ_TIMEOUT (default 10 s) is the per-input time limit; raise it on a loaded machine, where a
# starved process can exceed it on an input that takes milliseconds.
# Copy any artifact into Tests/Fuzz/corpus/<name>/ after fixing it: the regression tests replay every
# corpus file through the real parsers in the normal `swift test` run.
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-60}"
shift || true
all=(safetensors idx gzip theme cli input)
harnesses=("${@:-${all[@]}}")
work="${FUZZ_WORK:-/tmp/manifold-fuzz}"
jobs="${JOBS:-2}"
mkdir -p "$work"
export SWIFT_BACKTRACE=enable=no

sources_for() {
    case "$1" in
    safetensors) echo "Sources/SafeTensors/*.swift Tests/Fuzz/Harnesses/SafeTensorsHarness.swift" ;;
    idx) echo "Sources/Datasets/IDXReader.swift Sources/Datasets/GzipReader.swift Sources/Datasets/DatasetError.swift Tests/Fuzz/Harnesses/IDXHarness.swift" ;;
    gzip) echo "Sources/Datasets/GzipReader.swift Sources/Datasets/DatasetError.swift Tests/Fuzz/Harnesses/GzipHarness.swift" ;;
    theme) echo "Sources/TerminalUI/*.swift Tests/Fuzz/Harnesses/ThemeHarness.swift" ;;
    cli) echo "Sources/Manifold/ArgumentParser.swift Sources/Manifold/CommandOption.swift Sources/Manifold/OptionHelp.swift Tests/Fuzz/Harnesses/CLIHarness.swift" ;;
    input) echo "Sources/TerminalUI/*.swift Tests/Fuzz/Harnesses/InputDecoderHarness.swift" ;;
    *) echo "unknown harness '$1' (known: ${all[*]})" >&2; return 1 ;;
    esac
}

build_base() {
    mkdir -p "$work/Base"
    swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name Base -emit-module \
        -emit-module-path "$work/Base/Base.swiftmodule" -emit-library -static Sources/Base/*.swift \
        -o "$work/Base/libBase.a" 2>"$work/Base/build.log" \
        || { echo "fuzz: building Base failed (see $work/Base/build.log)"; tail -5 "$work/Base/build.log"; return 1; }
}

build() {
    local name="$1" sources
    sources="$(sources_for "$name")" || return 1
    mkdir -p "$work/$name"
    # shellcheck disable=SC2086
    swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name "Fuzz_$name" \
        -I Sources/CZlib -I "$work/Base" -L "$work/Base" -lBase -lz $sources -o "$work/$name/fuzz-$name" 2>"$work/$name/build.log" \
        || { echo "fuzz: building $name failed (see $work/$name/build.log)"; tail -5 "$work/$name/build.log"; return 1; }
}

run_one() {
    local name="$1"
    build "$name" || return 1
    mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
    (cd "$work/$name" && ASAN_OPTIONS=detect_leaks=0 ./"fuzz-$name" corpus "$OLDPWD/Tests/Fuzz/corpus/$name" \
        -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix=artifacts/ >"log.txt" 2>&1)
    local status=$?
    local runs
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name/log.txt" | grep -o '[0-9]*$')"
    local found
    found="$(find "$work/$name/artifacts" -type f | wc -l)"
    echo "fuzz: $name: exit $status, ${runs:-?} executions in ${seconds}s, $found artifacts ($work/$name/artifacts)"
}

build_base || exit 1
pids=()
for name in "${harnesses[@]}"; do
    run_one "$name" &
    pids+=($!)
    if [ "${#pids[@]}" -ge "$jobs" ]; then
        wait "${pids[0]}"
        pids=("${pids[@]:1}")
    fi
done
wait
