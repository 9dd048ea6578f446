#!/bin/bash -eu
# ClusterFuzzLite calls this inside its builder image; the build itself is
# the OSS-Fuzz one (ci/oss-fuzz/build.sh), which ci/fuzz-smoke.sh also runs.
MIGCHECK_SRC="$SRC/migcheck" bash "$SRC/migcheck/ci/oss-fuzz/build.sh"
