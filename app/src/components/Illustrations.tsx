import type { ReactNode } from "react";

/**
 * Inline SVG illustrations for empty states: one per situation, drawn in the app's blue→violet palette,
 * no external assets (the CSP allows no third-party images and the PWA works offline).
 */
export type IllustrationKind =
  | "works"
  | "tools"
  | "tasks"
  | "filter"
  | "videos"
  | "ledger"
  | "recharge"
  | "invites"
  | "commission"
  | "models"
  | "generic";

const BLUE = "#1d8cf8";
const VIOLET = "#8b5cf6";
const PALE = "#e8f1ff";
const PALE_VIOLET = "#efe9ff";
const GOLD = "#ffb020";
const PINK = "#ff7aa8";

function Frame({ id, children }: { id: string; children: ReactNode }) {
  return (
    <svg
      className="illustration"
      data-illustration={id}
      viewBox="0 0 200 150"
      width="180"
      height="135"
      role="img"
      aria-hidden="true"
      focusable="false"
    >
      <defs>
        <linearGradient id={`g-${id}`} x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor={BLUE} />
          <stop offset="1" stopColor={VIOLET} />
        </linearGradient>
      </defs>
      <ellipse cx="100" cy="136" rx="70" ry="7" fill="#e9ecf2" />
      {children}
    </svg>
  );
}

function Sparkle({ x, y, r = 5, color = GOLD }: { x: number; y: number; r?: number; color?: string }) {
  return (
    <path
      d={`M${x} ${y - r}Q${x} ${y} ${x + r} ${y}Q${x} ${y} ${x} ${y + r}Q${x} ${y} ${x - r} ${y}Q${x} ${y} ${x} ${y - r}Z`}
      fill={color}
    />
  );
}

/** 首页: a phone with a play button and floating hearts — the feed that will fill with works. */
function Works() {
  return (
    <Frame id="works">
      <circle cx="100" cy="72" r="58" fill={PALE} />
      <rect x="72" y="22" width="56" height="104" rx="10" fill="#fff" stroke={BLUE} strokeWidth="3" />
      <rect x="78" y="32" width="44" height="76" rx="4" fill="url(#g-works)" />
      <path d="M94 60 L110 70 L94 80 Z" fill="#fff" />
      <rect x="92" y="114" width="16" height="4" rx="2" fill="#d5dbe5" />
      <path d="M145 44c-3-5-11-3-10 3 1 4 10 10 10 10s9-6 10-10c1-6-7-8-10-3z" fill={PINK} />
      <path d="M52 88c-2-3.5-8-2-7 2 .7 3 7 7 7 7s6.3-4 7-7c1-4-5-5.5-7-2z" fill={PINK} opacity=".7" />
      <Sparkle x={150} y={92} r={6} />
      <Sparkle x={50} y={40} r={5} color={VIOLET} />
    </Frame>
  );
}

/** 工具: a toolbox with a magic wand — tools on the way. */
function Tools() {
  return (
    <Frame id="tools">
      <circle cx="100" cy="74" r="56" fill={PALE_VIOLET} />
      <rect x="58" y="66" width="84" height="56" rx="8" fill="url(#g-tools)" />
      <path d="M84 66v-10a6 6 0 0 1 6-6h20a6 6 0 0 1 6 6v10" fill="none" stroke={BLUE} strokeWidth="5" />
      <rect x="58" y="84" width="84" height="6" fill="#fff" opacity=".35" />
      <rect x="92" y="80" width="16" height="14" rx="3" fill="#fff" />
      <path d="M124 54 L150 28" stroke="#1f2329" strokeWidth="5" strokeLinecap="round" />
      <path d="M146 32 L150 28" stroke="#fff" strokeWidth="5" strokeLinecap="round" />
      <Sparkle x={156} y={22} r={7} />
      <Sparkle x={138} y={18} r={4} color={PINK} />
      <Sparkle x={48} y={52} r={5} color={BLUE} />
    </Frame>
  );
}

/** 生成任务: an hourglass beside a film strip — nothing rendering yet. */
function Tasks() {
  return (
    <Frame id="tasks">
      <circle cx="100" cy="72" r="56" fill={PALE} />
      <rect x="46" y="46" width="70" height="60" rx="6" fill="#fff" stroke="#c9d3e3" strokeWidth="2" />
      {[0, 1, 2, 3].map((i) => (
        <g key={i}>
          <rect x={52 + i * 16} y="50" width="8" height="6" rx="1.5" fill="#c9d3e3" />
          <rect x={52 + i * 16} y="96" width="8" height="6" rx="1.5" fill="#c9d3e3" />
        </g>
      ))}
      <rect x="52" y="60" width="58" height="32" rx="3" fill="url(#g-tasks)" opacity=".85" />
      <path d="M124 40h32M124 112h32" stroke="#1f2329" strokeWidth="4" strokeLinecap="round" />
      <path
        d="M128 42c0 20 24 22 24 34s-24 14-24 34h24c0-20-24-22-24-34s24-14 24-34z"
        fill="#fff"
        stroke={BLUE}
        strokeWidth="3"
        strokeLinejoin="round"
      />
      <path d="M133 104c3-8 11-10 14 0z" fill={GOLD} />
      <circle cx="140" cy="80" r="2" fill={GOLD} />
      <Sparkle x={62} y={32} r={5} color={VIOLET} />
    </Frame>
  );
}

/** A filter with nothing in it: a magnifier over an empty list. */
function Filter() {
  return (
    <Frame id="filter">
      <circle cx="100" cy="72" r="56" fill={PALE} />
      <rect x="54" y="34" width="78" height="90" rx="8" fill="#fff" stroke="#c9d3e3" strokeWidth="2" />
      {[0, 1, 2].map((i) => (
        <g key={i}>
          <rect x="64" y={48 + i * 24} width="14" height="14" rx="3" fill="#e3e8f0" />
          <rect x="84" y={50 + i * 24} width="38" height="4" rx="2" fill="#e3e8f0" />
          <rect x="84" y={58 + i * 24} width="24" height="4" rx="2" fill="#eef1f6" />
        </g>
      ))}
      <circle cx="128" cy="92" r="20" fill="#fff" fillOpacity=".6" stroke="url(#g-filter)" strokeWidth="6" />
      <path d="M142 106 L158 122" stroke={VIOLET} strokeWidth="8" strokeLinecap="round" />
      <path d="M121 92h14" stroke={BLUE} strokeWidth="4" strokeLinecap="round" />
    </Frame>
  );
}

/** 资产: a folder holding a clapperboard — no videos yet. */
function Videos() {
  return (
    <Frame id="videos">
      <circle cx="100" cy="72" r="56" fill={PALE_VIOLET} />
      <path
        d="M48 50a6 6 0 0 1 6-6h26l8 9h58a6 6 0 0 1 6 6v58a6 6 0 0 1-6 6H54a6 6 0 0 1-6-6z"
        fill="url(#g-videos)"
      />
      <rect x="70" y="66" width="60" height="40" rx="4" fill="#fff" />
      <path d="M70 66l60 0 0 10-60 0z" fill="#1f2329" />
      <path d="M78 66l-6 10M92 66l-6 10M106 66l-6 10M120 66l-6 10" stroke="#fff" strokeWidth="3" />
      <path d="M94 84 L108 92 L94 100 Z" fill={BLUE} />
      <Sparkle x={156} y={40} r={7} />
      <Sparkle x={44} y={34} r={4} color={PINK} />
    </Frame>
  );
}

/** 流水明细: a receipt with a coin — no movements yet. */
function Ledger() {
  return (
    <Frame id="ledger">
      <circle cx="100" cy="72" r="56" fill={PALE} />
      <path
        d="M64 24h64v100l-8-6-8 6-8-6-8 6-8-6-8 6-8-6-8 6z"
        fill="#fff"
        stroke="#c9d3e3"
        strokeWidth="2"
        strokeLinejoin="round"
      />
      <rect x="74" y="38" width="30" height="5" rx="2.5" fill={BLUE} />
      {[0, 1, 2, 3].map((i) => (
        <g key={i}>
          <rect x="74" y={54 + i * 13} width="26" height="4" rx="2" fill="#e3e8f0" />
          <rect x="106" y={54 + i * 13} width="12" height="4" rx="2" fill="#e3e8f0" />
        </g>
      ))}
      <circle cx="138" cy="100" r="20" fill={GOLD} />
      <circle cx="138" cy="100" r="14" fill="none" stroke="#fff" strokeWidth="2.5" opacity=".8" />
      <path
        d="M132 94l6 7 6-7M138 101v9M133 104h10"
        stroke="#fff"
        strokeWidth="2.5"
        strokeLinecap="round"
        fill="none"
      />
    </Frame>
  );
}

/** 充值: a wallet with coins — top-ups and their orders. */
function Recharge() {
  return (
    <Frame id="recharge">
      <circle cx="100" cy="72" r="56" fill="#fff4e0" />
      <circle cx="78" cy="40" r="13" fill={GOLD} />
      <circle cx="100" cy="30" r="11" fill="#ffc857" />
      <rect x="50" y="50" width="100" height="70" rx="12" fill="url(#g-recharge)" />
      <rect x="112" y="72" width="44" height="26" rx="8" fill="#fff" />
      <circle cx="126" cy="85" r="5" fill={BLUE} />
      <rect x="60" y="60" width="40" height="5" rx="2.5" fill="#fff" opacity=".45" />
      <Sparkle x={156} y={40} r={7} color={BLUE} />
    </Frame>
  );
}

/** 推广中心 邀请记录: two friends and a plus — nobody invited yet. */
function Invites() {
  return (
    <Frame id="invites">
      <circle cx="100" cy="72" r="56" fill={PALE} />
      <circle cx="80" cy="58" r="16" fill="url(#g-invites)" />
      <path d="M52 112c0-18 12-30 28-30s28 12 28 30z" fill="url(#g-invites)" />
      <circle cx="126" cy="66" r="13" fill="#fff" stroke="#c9d3e3" strokeWidth="2" />
      <path
        d="M104 114c0-15 10-25 22-25s22 10 22 25z"
        fill="#fff"
        stroke="#c9d3e3"
        strokeWidth="2"
        strokeLinejoin="round"
      />
      <circle cx="150" cy="40" r="12" fill={GOLD} />
      <path d="M150 34v12M144 40h12" stroke="#fff" strokeWidth="3" strokeLinecap="round" />
      <Sparkle x={52} y={36} r={6} color={VIOLET} />
    </Frame>
  );
}

/** 推广中心 佣金明细: a coin stack with an upward arrow — commission still to come. */
function Commission() {
  return (
    <Frame id="commission">
      <circle cx="100" cy="72" r="56" fill="#fff4e0" />
      <ellipse cx="88" cy="112" rx="30" ry="9" fill="#ffc857" />
      <rect x="58" y="98" width="60" height="14" fill="#ffc857" />
      <ellipse cx="88" cy="98" rx="30" ry="9" fill={GOLD} />
      <rect x="58" y="84" width="60" height="14" fill={GOLD} />
      <ellipse cx="88" cy="84" rx="30" ry="9" fill="#ffd27a" />
      <path d="M136 96V46" stroke="url(#g-commission)" strokeWidth="8" strokeLinecap="round" />
      <path
        d="M120 60l16-18 16 18"
        stroke="url(#g-commission)"
        strokeWidth="8"
        strokeLinecap="round"
        strokeLinejoin="round"
        fill="none"
      />
      <Sparkle x={62} y={48} r={7} color={BLUE} />
    </Frame>
  );
}

/** 创作 without a model: a sleeping robot — the generation service is resting. */
function Models() {
  return (
    <Frame id="models">
      <circle cx="100" cy="72" r="56" fill={PALE} />
      <path d="M100 30v-8" stroke={BLUE} strokeWidth="4" strokeLinecap="round" />
      <circle cx="100" cy="19" r="5" fill={PINK} />
      <rect x="62" y="32" width="76" height="58" rx="16" fill="url(#g-models)" />
      <path
        d="M78 60q6 5 12 0M110 60q6 5 12 0"
        stroke="#fff"
        strokeWidth="4"
        strokeLinecap="round"
        fill="none"
      />
      <rect x="90" y="72" width="20" height="5" rx="2.5" fill="#fff" opacity=".8" />
      <rect x="74" y="94" width="52" height="30" rx="10" fill="#fff" stroke="#c9d3e3" strokeWidth="2" />
      <text x="146" y="46" fontSize="14" fontWeight="700" fill={VIOLET} fontFamily="Arial, sans-serif">
        z
      </text>
      <text x="156" y="32" fontSize="18" fontWeight="700" fill={BLUE} fontFamily="Arial, sans-serif">
        Z
      </text>
    </Frame>
  );
}

/** Anything else: an empty box. */
function Generic() {
  return (
    <Frame id="generic">
      <circle cx="100" cy="72" r="56" fill={PALE} />
      <path
        d="M56 64l44-18 44 18v44l-44 18-44-18z"
        fill="#fff"
        stroke="#c9d3e3"
        strokeWidth="2"
        strokeLinejoin="round"
      />
      <path d="M56 64l44 18 44-18M100 82v44" stroke="#c9d3e3" strokeWidth="2" fill="none" />
      <path d="M56 64l-12 16 44 18 12-16z" fill="url(#g-generic)" opacity=".9" />
      <Sparkle x={150} y={40} r={6} />
    </Frame>
  );
}

const byKind: Record<IllustrationKind, () => ReactNode> = {
  works: Works,
  tools: Tools,
  tasks: Tasks,
  filter: Filter,
  videos: Videos,
  ledger: Ledger,
  recharge: Recharge,
  invites: Invites,
  commission: Commission,
  models: Models,
  generic: Generic,
};

export function Illustration({ kind }: { kind: IllustrationKind }) {
  const Drawing = byKind[kind];
  return <Drawing />;
}
