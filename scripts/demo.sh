#!/usr/bin/env bash
# `make demo`: the main job end to end on the embedded lab. Each stage says what it does.
# 演示：在内置的两地三中心实验环境上端到端运行主流程。
#
# Idempotent: a second run converges the running lab (no rebuild), re-hardens with changed=0,
# re-verifies, runs one more drill and writes a new report with the diff against the last one.
set -euo pipefail
cd "$(dirname "$0")/.."
G=.venv/bin/govcloud
STACK=lab
stage() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "make demo builds network namespaces, mounts and nftables tables: run it as root." >&2
  echo "演示需要 root 权限（网络命名空间、挂载、nftables）。" >&2
  exit 1
fi

stage "1. 环境检查 / environment check"
$G doctor

stage "2. 方案与双栈地址规划 / the plan and its dual-stack address plan"
$G plan --stack $STACK

stage "3. 等保策略门禁 / policy gate (OPA + checkov) on the plan"
$G check --stack $STACK

stage "4. 搭建实验环境 / pulumi up -s $STACK: three centres, links, boundary firewalls, hosts"
$G lab up --stack $STACK

stage "5. 安全服务 / security services: a 堡垒机 session, SSH bypassing it, a port scan, web attacks; 态势感知"
.venv/bin/python -m govcloud.secsvc.exercise --stack $STACK
sleep 3  # the IDS and WAF records travel to the collectors (imfile polls every second)
$G soc --stack $STACK --since 1h

stage "6. 主机加固 / harden every lab host to level 3 (ansible-runner)"
$G harden --stack $STACK --level 3

stage "7. 逐条款核查 / verify hosts clause by clause (testinfra)"
$G verify --stack $STACK

stage "8. 灾备演练 / same-city unplanned failover drill on Patroni + etcd (the plan's systems[].ha; RTO/RPO measured)"
$G drill run samecity-failover --stack $STACK --ticket DEMO-$(date +%Y%m%d)

stage "9. 回切 / failback to the production centre (Patroni rewinds it with pg_rewind), so the demo can run again"
$G drill run failback --stack $STACK --ticket DEMO-$(date +%Y%m%d)

stage "10. 符合性报告 / the auditor's report"
report=$($G report --stack $STACK --format html,json,pdf --since latest)
echo "报告 / report: $report"

cat <<EOF

实验环境仍在运行 / the lab is still running:
  查看 inspect:   .venv/bin/govcloud lab status --stack $STACK
  登录 log in:    .venv/bin/govcloud ssh --stack $STACK prod-db-1   (through the 堡垒机 bastion)
  态势感知 SOC:   .venv/bin/govcloud soc --stack $STACK
  进入主机 shell: ip netns exec gc-$STACK-prod-app-1 bash
  拆除 take down: .venv/bin/govcloud lab down --stack $STACK
EOF
