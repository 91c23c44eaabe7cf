import type { Earnings, EarningsSource } from "@skyriff/contracts";
import { useQuery } from "@tanstack/react-query";
import { Button, DotLoading, PullToRefresh, Segmented } from "antd-mobile";
import { RightOutline } from "antd-mobile-icons";
import { BarChart, type BarSeriesOption } from "echarts/charts";
import { GridComponent, type GridComponentOption } from "echarts/components";
import { type ComposeOption, type ECharts, init, use } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { client } from "../api.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import { type Lang, type MessageKey, useI18n } from "../i18n.tsx";
import { formatCoins, parseMilliCoins } from "../money.ts";
import { formatChangeBp } from "../rewards.tsx";

use([BarChart, GridComponent, CanvasRenderer]);
type ChartOption = ComposeOption<BarSeriesOption | GridComponentOption>;

const SOURCES: { key: EarningsSource; label: MessageKey; color: string }[] = [
  { key: "tip", label: "earn.sourceTip", color: "#ffb020" },
  { key: "prompt", label: "earn.sourcePrompt", color: "#8b5cf6" },
  { key: "remix", label: "earn.sourceRemix", color: "#1d8cf8" },
  { key: "commission", label: "earn.sourceCommission", color: "#22c55e" },
  { key: "order", label: "earn.sourceOrder", color: "#ff7aa8" },
];

type Day = Earnings["series"][number];

const isZero = (coins: string) => {
  try {
    return parseMilliCoins(coins) === 0n;
  } catch {
    return true;
  }
};

/** "2025-12-08" → "12/8" on the axis, "12月8日" / "Dec 8" in words (the string itself: no time zones). */
function dayParts(day: string) {
  const [, m = "1", d = "1"] = day.split("-");
  return { month: Number(m), date: Number(d) };
}
function axisDay(day: string) {
  const { month, date } = dayParts(day);
  return `${month}/${date}`;
}
function longDay(day: string, lang: Lang) {
  const { month, date } = dayParts(day);
  if (lang === "en") {
    const names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    return `${names[month - 1] ?? month} ${date}`;
  }
  return `${month}月${date}日`;
}

/**
 * `/me/earnings` — 我的收益 (SPEC §9): this period against the previous one, 冻结中 / 可提现 / 本期解冻,
 * daily income by source as a stacked bar chart over 7 or 30 days, and 去提现.
 */
export function EarningsPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [days, setDays] = useState<7 | 30>(7);
  const query = useQuery({
    queryKey: ["earnings", days],
    queryFn: () => client.earnings(days),
    placeholderData: (previous) => previous,
  });
  const data = query.data;

  return (
    <div className="page earn-page" data-testid="earnings-page">
      <PageHeader title={t("earn.title")} fallback="/me" />
      <PullToRefresh onRefresh={async () => void (await query.refetch())}>
        <div className="earn-toggle">
          <Segmented
            block
            value={days}
            data-testid="earnings-days"
            onChange={(v) => setDays(v === 30 ? 30 : 7)}
            options={[
              { label: t("earn.days7"), value: 7 },
              { label: t("earn.days30"), value: 30 },
            ]}
          />
        </div>
        {query.isPending ? (
          <div className="center-block muted">
            {t("common.loading")}
            <DotLoading />
          </div>
        ) : query.isError || !data ? (
          <div className="center-block">
            <Button size="small" onClick={() => void query.refetch()}>
              {t("common.loadFailedRetry")}
            </Button>
          </div>
        ) : (
          <>
            <Summary data={data} onWithdraw={() => navigate("/me/withdraw")} />
            <ChartCard data={data} />
          </>
        )}
      </PullToRefresh>
    </div>
  );
}

function Summary({ data, onWithdraw }: { data: Earnings; onWithdraw: () => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const change = data.change_bp;
  return (
    <>
      <section className="earn-hero" data-testid="earnings-hero">
        <div className="earn-hero-label">{t("earn.current")}</div>
        <div className="earn-hero-value" data-testid="earnings-current">
          {formatCoins(data.current_total)}
        </div>
        <div className="earn-hero-compare">
          <span data-testid="earnings-previous">
            {t("earn.previous", { amount: formatCoins(data.previous_total) })}
          </span>
          {change === null ? (
            <span className="earn-change" data-testid="earnings-change">
              {t("earn.noPrevious")}
            </span>
          ) : (
            <span
              className={`earn-change ${change > 0 ? "earn-change-up" : change < 0 ? "earn-change-down" : ""}`}
              data-testid="earnings-change"
            >
              {t("earn.vsPrevious")} {change > 0 ? "▲" : change < 0 ? "▼" : ""}
              {formatChangeBp(change)}
            </span>
          )}
        </div>
      </section>

      <section className="earn-stats">
        <button
          type="button"
          className="earn-stat"
          data-testid="earnings-pending-link"
          onClick={() => navigate("/me/pending-coins")}
        >
          <b data-testid="earnings-pending">{formatCoins(data.coins_pending)}</b>
          <span>
            {t("earn.pending")}
            <RightOutline className="earn-stat-arrow" />
          </span>
        </button>
        <div className="earn-stat">
          <b data-testid="earnings-available">{formatCoins(data.coins_available)}</b>
          <span>{t("earn.available")}</span>
        </div>
        <div className="earn-stat">
          <b data-testid="earnings-released">{formatCoins(data.released_in_period)}</b>
          <span>{t("earn.released")}</span>
        </div>
        <div className="earn-stats-foot">
          <span className="earn-freeze">{t("earn.freezeHint")}</span>
          <Button
            size="small"
            shape="rounded"
            color="primary"
            className="earn-withdraw"
            data-testid="earnings-withdraw"
            onClick={onWithdraw}
          >
            {t("earn.withdraw")}
          </Button>
        </div>
      </section>
    </>
  );
}

function ChartCard({ data }: { data: Earnings }) {
  const { t, lang } = useI18n();
  const series = data.series;
  const lastWithIncome = [...series].reverse().find((d) => !isZero(d.total));
  const [picked, setPicked] = useState<string | null>(null);
  const selected =
    series.find((d) => d.day === picked) ?? lastWithIncome ?? series[series.length - 1] ?? null;
  const empty = isZero(data.current_total);

  return (
    <section className="earn-card" data-testid="earnings-chart-card">
      <div className="earn-card-title">{t("earn.chartTitle")}</div>
      <ul className="earn-legend" data-testid="earnings-by-source">
        {SOURCES.map((s) => (
          <li key={s.key} data-testid={`earnings-source-${s.key}`}>
            <i style={{ background: s.color }} />
            <span>{t(s.label)}</span>
            <b>{formatCoins(data.by_source[s.key] ?? "0")}</b>
          </li>
        ))}
      </ul>
      <div className="earn-chart-wrap">
        <StackedBars series={series} selected={selected?.day ?? null} onPick={setPicked} days={data.days} />
        {empty && (
          <div className="earn-chart-empty" data-testid="earnings-empty">
            <b>{t("earn.empty")}</b>
            <span>{t("earn.emptyHint")}</span>
          </div>
        )}
      </div>
      {selected && !empty && (
        <div className="earn-day" data-testid="earnings-day">
          <div className="earn-day-title">
            {t("earn.dayTotal", { day: longDay(selected.day, lang), amount: formatCoins(selected.total) })}
          </div>
          <div className="earn-day-parts">
            {SOURCES.filter((s) => !isZero(selected[s.key])).map((s) => (
              <span key={s.key}>
                <i style={{ background: s.color }} />
                {t(s.label)} {formatCoins(selected[s.key])}
              </span>
            ))}
          </div>
        </div>
      )}
    </section>
  );
}

/**
 * The stacked bars (echarts, only the bar chart, the grid and the canvas renderer). Tapping a day selects
 * it; its breakdown is drawn by React below the chart (no echarts tooltip: its inline styles would
 * break the CSP).
 */
function StackedBars({
  series,
  selected,
  onPick,
  days,
}: {
  series: Day[];
  selected: string | null;
  onPick: (day: string) => void;
  days: number;
}) {
  const { t } = useI18n();
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  const daysRef = useRef(series.map((d) => d.day));
  daysRef.current = series.map((d) => d.day);

  useEffect(() => {
    if (!el.current) return;
    const c = init(el.current, undefined, { renderer: "canvas" });
    chart.current = c;
    const zr = c.getZr();
    const onClick = (e: { offsetX: number; offsetY: number }) => {
      const point = [e.offsetX, e.offsetY];
      if (!c.containPixel("grid", point)) return;
      const [index] = c.convertFromPixel({ xAxisIndex: 0 }, point) as unknown as number[];
      const day = daysRef.current[Math.round(index ?? -1)];
      if (day) pick.current(day);
    };
    zr.on("click", onClick);
    const resize = new ResizeObserver(() => c.resize());
    resize.observe(el.current);
    return () => {
      resize.disconnect();
      zr.off("click", onClick);
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const option: ChartOption = {
      animationDuration: 400,
      grid: { left: 4, right: 8, top: 12, bottom: 4, containLabel: true },
      textStyle: { fontFamily: "-apple-system, 'PingFang SC', 'Noto Sans CJK SC', sans-serif" },
      xAxis: {
        type: "category",
        data: series.map((d) => axisDay(d.day)),
        axisTick: { show: false },
        axisLine: { lineStyle: { color: "#e5e7eb" } },
        axisLabel: { color: "#8a8f99", fontSize: 10, interval: days > 7 ? 6 : 0, hideOverlap: true },
      },
      yAxis: {
        type: "value",
        splitNumber: 3,
        minInterval: 1,
        axisLabel: { color: "#8a8f99", fontSize: 10 },
        splitLine: { lineStyle: { color: "#f0f1f4" } },
      },
      series: SOURCES.map((s) => ({
        name: t(s.label),
        type: "bar",
        stack: "total",
        barMaxWidth: days > 7 ? 8 : 22,
        itemStyle: { color: s.color },
        emphasis: { disabled: true },
        // Plotting needs numbers; every amount shown as text comes from the strings.
        data: series.map((d) => ({
          value: Number(d[s.key]),
          itemStyle: { opacity: selected === null || selected === d.day ? 1 : 0.35 },
        })),
      })),
    };
    c.setOption(option, { notMerge: false });
  }, [series, selected, days, t]);

  return <div ref={el} className="earn-chart" data-testid="earnings-chart" />;
}
