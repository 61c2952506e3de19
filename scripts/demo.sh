#!/usr/bin/env bash
# `make demo`: the main job end to end on the embedded lab. Each stage prints what it does.
# 演示：在内置实验环境上端到端运行主流程。
set -euo pipefail
cd "$(dirname "$0")/.."
G=.venv/bin/govcloud
stage() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

stage "1. 环境检查 / environment check"
$G doctor

stage "2. 方案与地址规划 / plan and dual-stack address plan (lab stack)"
$G plan --stack lab

stage "3. Pulumi preview of the lab stack (real engine, file backend)"
$G lab preview --stack lab
