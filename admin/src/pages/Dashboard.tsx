import { ReloadOutlined } from "@ant-design/icons";
import type { Dashboard, DashboardDay } from "@skyriff/contracts";
import { useQuery } from "@tanstack/react-query";
import { Button, Card, Col, Row, Segmented, Skeleton, Space, Statistic, Typography } from "antd";
import { type ReactNode, useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { adminApi } from "../api.ts";
import { PageHeader, QueryError } from "../components/common.tsx";
import { type ChartOption, EChart } from "../components/EChart.tsx";
import { formatTime, type T, useI18n } from "../i18n.tsx";
import {
  formatCny,
  formatCoins,
  formatCount,
  formatMilliCoins,
  parseMilliCoins,
  sumCoins,
} from "../money.ts";

type Days = 7 | 30 | 90;

const axisDay = (day: string) => day.slice(5);

/** "12.5%" (tenths, rounded down); "—" when there is nothing to divide. */
function percentOf(part: number, whole: number): string {
  if (whole <= 0) return "—";
  const tenths = Math.floor((part * 1000) / whole);
  return `${Math.floor(tenths / 10)}.${tenths % 10}%`;
}
const num = (s: string) => Number(s);

/** The platform's net coin income of a day: fees minus the commissions it paid. */
function netIncome(d: DashboardDay): string {
  try {
    return formatMilliCoins(parseMilliCoins(d.fee_coins) - parseMilliCoins(d.commission_coins));
  } catch {
    return d.fee_coins;
  }
}

function sumCny(values: string[]): string {
  const fen = values.reduce((acc, v) => acc + BigInt(v.replace(".", "")), 0n);
  const s = fen.toString().padStart(3, "0");
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

function charts(data: Dashboard, t: T) {
  const x = data.series.map((d) => axisDay(d.day));
  const wide = data.days > 7;
  const xAxis = {
    type: "category" as const,
    data: x,
    axisTick: { show: false },
    axisLabel: { color: "#8a8f99", hideOverlap: true },
    axisLine: { lineStyle: { color: "#e5e7eb" } },
  };
  const yAxis = {
    type: "value" as const,
    minInterval: 1,
    axisLabel: { color: "#8a8f99" },
    splitLine: { lineStyle: { color: "#f0f1f4" } },
  };
  const bar = wide ? 10 : 28;
  const users: ChartOption = {
    color: ["#1677ff", "#13c2c2"],
    xAxis,
    yAxis,
    series: [
      {
        name: t("dash.newUsersSeries"),
        type: "bar",
        barMaxWidth: bar,
        data: data.series.map((d) => d.new_users),
      },
      {
        name: t("dash.dauSeries"),
        type: "line",
        smooth: 0.3,
        smoothMonotone: "x",
        symbolSize: 6,
        data: data.series.map((d) => d.dau),
      },
    ],
  };
  const generations: ChartOption = {
    color: ["#52c41a", "#ff4d4f", "#faad14"],
    xAxis,
    yAxis: [yAxis, { ...yAxis, splitLine: { show: false } }],
    series: [
      {
        name: t("dash.succeeded"),
        type: "bar",
        stack: "gen",
        barMaxWidth: bar,
        data: data.series.map((d) => d.generations_succeeded),
      },
      {
        name: t("dash.failed"),
        type: "bar",
        stack: "gen",
        barMaxWidth: bar,
        data: data.series.map((d) => d.generations_failed),
      },
      {
        name: t("dash.creditsSpent"),
        type: "line",
        yAxisIndex: 1,
        smooth: 0.3,
        smoothMonotone: "x",
        symbolSize: 5,
        data: data.series.map((d) => d.generation_credits),
      },
    ],
  };
  const gmv: ChartOption = {
    color: ["#07c160", "#1677ff", "#bfbfbf"],
    xAxis,
    yAxis: { ...yAxis, minInterval: 0 },
    series: (["wechat", "alipay", "sandbox"] as const).map((ch) => ({
      name: t(`dash.${ch}`),
      type: "bar" as const,
      stack: "gmv",
      barMaxWidth: bar,
      data: data.series.map((d) => num(d.gmv_cny[ch])),
    })),
  };
  const income: ChartOption = {
    color: ["#722ed1", "#fa8c16", "#2f54eb"],
    xAxis,
    yAxis: { ...yAxis, minInterval: 0 },
    series: [
      { name: t("dash.fee"), type: "bar", barMaxWidth: bar, data: data.series.map((d) => num(d.fee_coins)) },
      {
        name: t("dash.commission"),
        type: "bar",
        barMaxWidth: bar,
        data: data.series.map((d) => num(d.commission_coins)),
      },
      {
        name: t("dash.net"),
        type: "line",
        smooth: 0.3,
        smoothMonotone: "x",
        symbolSize: 5,
        data: data.series.map((d) => num(netIncome(d))),
      },
    ],
  };
  return { users, generations, gmv, income };
}

/** SPEC §7 dashboard: today's numbers over the totals, and four charts by day for 7 / 30 / 90 days. */
export function DashboardPage() {
  const { t } = useI18n();
  const [days, setDays] = useState<Days>(7);
  const query = useQuery({ queryKey: ["admin", "dashboard", days], queryFn: () => adminApi.dashboard(days) });
  const data = query.data;
  const today = data?.series[data.series.length - 1];
  const options = useMemo(() => (data ? charts(data, t) : null), [data, t]);

  const period = data && {
    users: formatCount(data.series.reduce((a, d) => a + d.new_users, 0)),
    gens: formatCount(data.series.reduce((a, d) => a + d.generations, 0)),
    gmv: formatCny(sumCny(data.series.map((d) => d.gmv_cny.total))),
    income: formatCoins(
      formatMilliCoins(
        data.series.reduce(
          (a, d) => a + parseMilliCoins(d.fee_coins) - parseMilliCoins(d.commission_coins),
          0n,
        ),
      ),
    ),
  };

  return (
    <div data-testid="dashboard">
      <PageHeader
        title={t("menu.dashboard")}
        sub={
          data &&
          today && (
            <>
              <span data-testid="dash-today">{t("dash.today", { day: today.day })}</span>
              {" · "}
              {t("dash.generatedAt", { time: formatTime(data.generated_at) })}
            </>
          )
        }
        extra={
          <Space>
            <Segmented<Days>
              value={days}
              onChange={setDays}
              options={[
                { value: 7, label: t("dash.range7") },
                { value: 30, label: t("dash.range30") },
                { value: 90, label: t("dash.range90") },
              ]}
              data-testid="dash-range"
            />
            <Button icon={<ReloadOutlined />} onClick={() => void query.refetch()} loading={query.isFetching}>
              {t("common.refresh")}
            </Button>
          </Space>
        }
      />
      {query.isError && <QueryError error={query.error} onRetry={() => void query.refetch()} />}
      {!data && query.isPending && <Skeleton active paragraph={{ rows: 8 }} />}
      {data && today && (
        <>
          <Row gutter={[12, 12]}>
            <Kpi testId="kpi-users" title={t("dash.totalUsers")} value={formatCount(data.totals.users)} />
            <Kpi testId="kpi-new-users" title={t("dash.newUsers")} value={formatCount(today.new_users)} />
            <Kpi testId="kpi-dau" title={t("dash.dau")} value={formatCount(today.dau)} />
            <Kpi
              testId="kpi-generations"
              title={t("dash.generations")}
              value={formatCount(today.generations)}
              sub={t("dash.generationsDetail", {
                ok: formatCount(today.generations_succeeded),
                failed: formatCount(today.generations_failed),
                refundRate: percentOf(today.generations_refunded, today.generations),
              })}
            />
            <Kpi
              testId="kpi-gmv"
              title={t("dash.gmv")}
              value={formatCny(today.gmv_cny.total)}
              sub={t("dash.gmvDetail", {
                wechat: formatCny(today.gmv_cny.wechat),
                alipay: formatCny(today.gmv_cny.alipay),
              })}
            />
            <Kpi
              testId="kpi-income"
              title={t("dash.income")}
              value={formatCoins(netIncome(today))}
              sub={t("dash.incomeDetail", {
                fee: formatCoins(today.fee_coins),
                commission: formatCoins(today.commission_coins),
              })}
            />
            <Kpi
              testId="kpi-coins"
              title={t("dash.coinsOutstanding")}
              value={sumCoins(data.totals.coins_available, data.totals.coins_pending)}
              sub={t("dash.coinsDetail", {
                available: formatCoins(data.totals.coins_available),
                pending: formatCoins(data.totals.coins_pending),
              })}
            />
            <Kpi
              testId="kpi-withdrawals"
              title={t("dash.withdrawalsWaiting")}
              value={formatCny(data.totals.withdrawals_waiting.amount_cny)}
              sub={
                <>
                  <Link to="/withdrawals">
                    {t("dash.withdrawalsDetail", {
                      count: formatCount(data.totals.withdrawals_waiting.count),
                    })}
                  </Link>
                  {" · "}
                  {t("dash.disputesOpen")}{" "}
                  <Link to="/orders?status=disputed" data-testid="kpi-disputes">
                    {formatCount(data.totals.disputes_open)}
                  </Link>
                </>
              }
            />
          </Row>
          {period && (
            <Typography.Text
              type="secondary"
              style={{ display: "block", margin: "12px 0 8px" }}
              data-testid="dash-period"
            >
              {t("dash.periodTotals", period)}
            </Typography.Text>
          )}
          {options && (
            <Row gutter={[12, 12]}>
              <Col span={6}>
                <Card title={t("dash.chartUsers")} size="small">
                  <EChart option={options.users} testId="chart-users" />
                </Card>
              </Col>
              <Col span={6}>
                <Card title={t("dash.chartGenerations")} size="small">
                  <EChart option={options.generations} testId="chart-generations" />
                </Card>
              </Col>
              <Col span={6}>
                <Card title={t("dash.chartGmv")} size="small">
                  <EChart option={options.gmv} testId="chart-gmv" />
                </Card>
              </Col>
              <Col span={6}>
                <Card title={t("dash.chartIncome")} size="small">
                  <EChart option={options.income} testId="chart-income" />
                </Card>
              </Col>
            </Row>
          )}
        </>
      )}
    </div>
  );
}

function Kpi(props: { title: string; value: string; sub?: ReactNode; testId: string }) {
  return (
    <Col span={6}>
      <Card size="small" className="kpi-card" data-testid={props.testId}>
        <Statistic title={props.title} value={props.value} styles={{ content: { fontSize: 22 } }} />
        <div className="kpi-sub">{props.sub ?? "\u00a0"}</div>
      </Card>
    </Col>
  );
}
