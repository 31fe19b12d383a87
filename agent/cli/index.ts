// The `hallq` command: one entry for the service and the tools a hall's IT contact runs by hand.
// Exit codes: 0 ok, 1 the operation failed, 2 usage or config error (nothing was changed).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../config/load.js';

export class UsageError extends Error {}

/** an operation that failed for a reason the message explains (exit 1) */
export class CliFailure extends Error {}

export type Args = ReturnType<typeof parseArgs<{ options: NonNullable<ParseArgsConfig['options']>; allowPositionals: true }>>;

export const COMMON = {
  config: { type: 'string' },
  data: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>): Args {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export const HELP = `hallq — 户政服务大厅排队叫号 / queue and counter hardware for a service hall

用法 usage: hallq <命令 command> [选项 options]

  start [--config F] [--host H] [--port N] [--data DIR] [--allow-lan-demo]
        启动大厅服务（默认演示大厅）/ run the hall agent (the demo hall without a config;
        a demo hall listens only on 127.0.0.1 unless --allow-lan-demo)
  check-config <file>
        检查配置文件，指出文件、键路径和改法 / validate a hall config: file, key path and fix
  devices [--json] [路径 path…]
        列出串口和 HID 设备（可直接粘贴到配置）；给出路径时尝试打开 /
        list serial ports and HID devices ready to paste into the config; probe each path given
  print-test <device> [--config F] [--baud N]
        在打印机上打印测试页；device 为配置中的设备 id、串口路径或 tcp://主机:9100 /
        print a test page: a device id from the config, a serial path, or tcp://host:9100
  backup [--config F] [--data DIR] [--out DIR] [--keep-days N]
        在线备份数据库并校验（integrity_check），删除超过 N 天的备份 /
        online backup of the database, checked with integrity_check; older than N days removed
  restore <backup.db> [--config F] [--data DIR]
        从备份恢复（先停止服务；原库保留为 hall.db.before-restore-*）/
        restore a backup (stop the service first; the current file is kept beside it)
  migrate [--config F] [--data DIR]
        升级数据库结构，升级前先备份 / apply pending migrations, after a backup
  hash-pin [PIN]
        生成 PIN 的 scrypt 散列（不给 PIN 时从标准输入读取）/
        scrypt hash of a PIN for the config (read from stdin when not given)

配置 config: --config、环境变量 HALLQ_CONFIG，都没有时用演示配置 / --config, HALLQ_CONFIG, else the demo hall
退出码 exit codes: 0 成功 ok · 1 操作失败 failed · 2 用法或配置错误 usage or config error`;

export function showHelp(): number {
  console.log(HELP);
  return 0;
}

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./start.js')).start,
  'check-config': async () => (await import('./check-config.js')).checkConfig,
  devices: async () => (await import('./devices.js')).devices,
  'print-test': async () => (await import('./print-test.js')).printTest,
  backup: async () => (await import('./backup.js')).backupCommand,
  restore: async () => (await import('./backup.js')).restoreCommand,
  migrate: async () => (await import('./backup.js')).migrateCommand,
  'hash-pin': async () => (await import('./hash-pin.js')).hashPinCommand,
};

/** Runs one command; returns the exit code, or -1 when the process keeps running (start). */
export async function run(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'help' || first === '--help' || first === '-h') {
    console.log(HELP);
    return 0;
  }
  // `npm start -- --config x` (no command word) keeps working: options alone mean start
  const name = first === undefined || first.startsWith('-') ? 'start' : first;
  const args = name === first ? rest : argv;
  const load = COMMANDS[name];
  if (!load) {
    console.error(`hallq: 未知命令 unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await (await load())(args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`hallq ${name}: ${err.message}\n用法 usage: hallq help`);
      return 2;
    }
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    if (err instanceof CliFailure) {
      console.error(`hallq ${name}: ${err.message}`);
      return 1;
    }
    console.error(`hallq ${name}: failed:`, err);
    return 1;
  }
}
