/**
 * Economy constants of SPEC §1, in integer minor units: credits (whole), CNY in fen, coins in
 * milli-coins (1 coin = 1 CNY = 1000 milli-coins). Every value may be overridden by an env var
 * named ECON_<KEY> (e.g. ECON_DOWNLOAD_NO_WATERMARK_CREDITS=8).
 */
const defaults = {
  CREDITS_PER_CNY: 20,
  GENERATION_DURATIONS: [10, 15, 25] as number[],
  DOWNLOAD_NO_WATERMARK_CREDITS: 6,
  PROMPT_PRICE_MIN: 0,
  PROMPT_PRICE_MAX: 100,
  PROMPT_PRICE_DEFAULT: 5,
  REMIX_FEE_MIN: 0,
  REMIX_FEE_MAX: 50,
  REMIX_FEE_DEFAULT: 2,
  TIP_AMOUNTS: [10, 20, 50, 100] as number[],
  /** 1 credit = 0.05 coin = 50 milli-coins. */
  CREDIT_TO_MILLICOINS: 50,
  CREATOR_PLATFORM_FEE_PERCENT: 10,
  ORDER_PLATFORM_FEE_PERCENT: 5,
  ORDER_MIN_BUDGET_MILLI: 10_000,
  ORDER_AUTO_ACCEPT_DAYS: 7,
  FREEZE_DAYS: 7,
  MONTHLY_CARD_PRICE_FEN: 2900,
  MONTHLY_CARD_DAYS: 30,
  MONTHLY_CARD_DAILY_CREDITS: 30,
  TASK_CENTER_TASKS_PER_DAY: 3,
  TASK_CENTER_REWARD_CREDITS: 2,
  WITHDRAW_MIN_FEN: 10_000,
  WITHDRAW_MAX_FEN: 500_000,
  WITHDRAW_MAX_PER_DAY: 3,
  PROMOTER_ACTIVATION_FEN: 3000,
  PROMOTER_ACTIVATION_CREDITS: 600,
  REFERRAL_NEW_USER_BONUS_CREDITS: 50,
  REFERRAL_BIND_WINDOW_DAYS: 7,
  DIRECT_COMMISSION_PERCENT: 5,
  SECOND_LEVEL_COMMISSION_PERMILLE: 1,
  PROMPT_MAX_CHARS: 1000,
  MAX_UNFINISHED_TASKS: 5,
  MAX_TASKS_PER_DAY: 100,
  RECHARGE_DAILY_LIMIT_FEN: 1_000_000,
};

export type Economy = typeof defaults;

export function loadEconomy(env: NodeJS.ProcessEnv = process.env): Economy {
  const economy = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof Economy)[]) {
    const raw = env[`ECON_${key}`];
    if (raw === undefined || raw === "") continue;
    const current = defaults[key];
    const value = Array.isArray(current) ? raw.split(",").map(parseWhole) : parseWhole(raw);
    Object.assign(economy, { [key]: value });
  }
  return economy;
}

function parseWhole(raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new Error(`economy override must be a whole number: ${raw}`);
  return Number(raw);
}
