//! The Simplified Chinese strings of the backups page.

use super::backups::{BackupsTexts, ProblemWords};

/// Simplified Chinese.
pub const ZH_CN: BackupsTexts = BackupsTexts {
    nav: "备份",
    title: "备份",
    intro: "整个数据库的加密副本：按计划自动制作，并复制到另一处（异地）保存。每份备份还会被恢复到临时数据库中加以校验，\
            确保需要时确实能够恢复。",

    last_backup_heading: "最近一次备份",
    last_offsite_heading: "最近一次异地副本",
    last_drill_heading: "最近一次恢复演练",
    never: "从未",
    none_yet: "尚无",
    no_offsite: "未配置异地备份位置",
    label_made: "制作时间",
    label_size: "大小",
    label_audit_entries: "审计记录数",
    label_file: "文件",
    label_copied: "复制时间",
    label_drill_at: "演练时间",
    label_result: "结果",
    label_took: "耗时",
    label_found: "结果说明",

    problems_heading: "需要处理",
    problems_none: "一切正常：备份按计划制作、已复制到异地，恢复演练均通过。",
    fix_label: "处理方法：",
    not_scheduled: ProblemWords {
        title: "未按计划自动备份",
        why: "服务器启动时关闭了定时备份，只有管理员手动请求时才会制作备份。一旦数据库损坏，\
              上次备份之后录入的所有数据都将丢失。",
        fix: "去掉 --no-backup-schedule 参数（或环境变量 CONSENTRY_NO_BACKUP_SCHEDULE）后重启服务器。\
              如果每天一次不够频繁，请用 --backup-interval-hours 设置间隔。",
    },
    no_offsite_problem: ProblemWords {
        title: "备份未复制到异地",
        why: "备份只写入了服务器本机的备份目录。一旦硬盘损坏、服务器失窃或损毁、遭遇勒索软件，\
              备份会与数据库一起丢失。",
        fix: "将 --backup-offsite-dir（或环境变量 CONSENTRY_BACKUP_OFFSITE_DIR）设为另一块硬盘上的目录、\
              已挂载的网络共享或同步目录，然后重启服务器。此后每份备份都会复制到那里并回读校验。",
    },
    overdue: ProblemWords {
        title: "备份已逾期",
        why: "距上次备份的时间已超过计划允许的间隔（每 {hours} 小时一次，另加一小时宽限）。\
              负责备份的服务器可能已停止，或备份持续失败。",
        fix: "确认服务器正在运行，并查看其日志中的备份错误。然后用“立即备份”制作一份备份（需管理员），\
              确认其状态变为“完成”。",
    },
    last_failed: ProblemWords {
        title: "最近一次备份失败",
        why: "最近一次备份尝试没有生成备份，因此最新的可用备份比预期的旧。错误原因见下方列表。",
        fix: "查看列表中的错误。最常见的原因是备份目录不存在、已满或服务器无写入权限。\
              解决后用“立即备份”重新制作一份。",
    },
    offsite_failing: ProblemWords {
        title: "异地复制失败",
        why: "最新的备份未能复制到异地位置：复制正在等待重试，或所有尝试均已失败。\
              在复制成功之前，这份备份只存在于一处。",
        fix: "确认异地位置已挂载、服务器有写入权限且空间充足；复制的错误原因见下方列表。\
              然后用“立即备份”制作一份，确认其异地复制成功。",
    },
    drill_failed: ProblemWords {
        title: "最近一次恢复演练未通过",
        why: "最近一次演练所用的备份无法在临时数据库中恢复并通过校验，需要时可能无法使用。",
        fix: "查看下方列表中演练的说明。制作一份新备份并确认其演练通过；如仍失败，\
              请先检查服务器日志和备份密钥，再依赖这些备份。",
    },

    settings_heading: "设置",
    label_schedule: "备份计划",
    every_hours: "每 {hours} 小时一次",
    not_scheduled_short: "未定时",
    label_keep: "保留期限",
    keep_days: "{days} 天（本地与异地均是）",
    label_local_dir: "本地备份目录",
    label_offsite_dir: "异地备份位置",
    not_configured: "未配置",
    label_next_due: "下次备份时间",
    next_due_none: "未安排",

    back_up_now: "立即备份",
    backing_up: "正在备份…",
    requested: "已请求备份，完成后列表会自动更新。",
    already_running: "已有备份正在制作，您请求的备份将在其结束后进行。",
    running_now: "正在制作备份…",
    waiting_to_start: "已请求备份，即将开始…",

    list_heading: "最近的备份",
    list_empty: "尚无备份。",
    col_started: "开始时间",
    col_trigger: "触发方式",
    col_state: "状态",
    col_size: "大小",
    col_audit: "审计链头",
    col_records: "记录数",
    col_offsite: "异地副本",
    col_drill: "恢复演练",
    trigger_schedule: "定时备份",
    trigger_manual_by: "{name} 手动备份",
    trigger_manual: "手动备份",
    state_running: "进行中",
    state_done: "完成",
    state_failed: "失败",
    state_expired: "已过期",
    expired_at: "已于 {time} 删除",
    error_label: "备份失败原因：",
    offsite_error_label: "异地复制失败原因：",
    offsite_copied: "已于 {time} 复制",
    offsite_copied_plain: "已复制",
    offsite_pending_at: "等待中：下次尝试 {time}（已尝试 {attempts} 次）",
    offsite_pending: "等待中（已尝试 {attempts} 次）",
    offsite_failed: "失败（共尝试 {attempts} 次）",
    drill_passed: "通过",
    drill_failed_badge: "未通过",
    drill_not_run: "未演练",
    drill_when: "{time} 进行，耗时 {took}",
    drill_counts: "恢复后的副本含 {records} 条记录、{receipts} 份回执、{forms} 个表单、{users} 个用户、\
                   {audit} 条审计记录和 {heads} 个签名链头。",
    bytes: "{n} 字节",

    took_ms: "{n} 毫秒",
    took_s: "{n} 秒",
    took_min: "{m} 分 {s} 秒",
};
