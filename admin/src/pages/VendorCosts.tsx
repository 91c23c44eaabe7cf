import { ReloadOutlined } from "@ant-design/icons";
import type { VendorCostRow, VendorCosts } from "@skyriff/contracts";
import { useQuery } from "@tanstack/react-query";
import {
  Button,
  Card,
  Col,
  Empty,
  Row,
  Segmented,
  Skeleton,
  Space,
  Statistic,
  Table,
  Typography,
} from "antd";
import type { ColumnsType } from "antd/es/table";
import { type ReactNode, useMemo, useState } from "react";
import { type AdminMe, adminApi } from "../api.ts";
import { canOpen } from "../auth.tsx";
import { PageHeader, QueryError } from "../components/common.tsx";
import { type ChartOption, EChart } from "../components/EChart.tsx";
import { type T, useI18n } from "../i18n.tsx";
import { formatCount, formatCredits, formatMilliCoins, parseMilliCoins } from "../money.ts";

type Days = 7 | 30 | 90;

/** 1 credit = ¥0.05 = 5 fen = 50 milli-yuan (20 credits per ¥1). All money here is integer milli-yuan. */
const MILLI_YUAN_PER_CREDIT = 50n;
const DAY_MS = 24 * 3600_000;

type Totals = { tasks: number; succeeded: number; credits: bigint; charged: bigint; cost: bigint };
type ModelTotals = Totals & { model: string };

const zero = (): Totals => ({ tasks: 0, succeeded: 0, credits: 0n, charged: 0n, cost: 0n });

function add(into: Totals, r: VendorCostRow): void {
  into.tasks += r.tasks;
  into.succeeded += r.succeeded;
  into.credits += BigInt(r.credits_charged);
  into.charged += BigInt(r.credits_charged) * MILLI_YUAN_PER_CREDIT;
  // Milli-yuan has the same three decimals as milli-coins.
  into.cost += parseMilliCoins(r.vendor_cost_cny);
}

const margin = (x: Totals) => x.charged - x.cost;

/** Milli-yuan as the console shows money: "¥1,234.50", "-¥0.045" (a non-zero third decimal kept). */
function yuan(milli: bigint): string {
  const negative = milli < 0n;
  return `${negative ? "-" : ""}¥${formatMilliCoins(negative ? -milli : milli, { keepExact: true })}`;
}

/** For the chart's axis only (echarts wants numbers): never summed or compared. */
function chartNumber(milli: bigint): number {
  const abs = milli < 0n ? -milli : milli;
  return Number(`${milli < 0n ? "-" : ""}${abs / 1000n}.${(abs % 1000n).toString().padStart(3, "0")}`);
}

/** "12.5%" (tenths, toward zero), "-3.2%"; "—" when there is nothing to divide. */
function percentOf(part: bigint, whole: bigint): string {
  if (whole <= 0n) return "—";
  const tenths = (part * 1000n) / whole;
  const abs = tenths < 0n ? -tenths : tenths;
  return `${tenths < 0n ? "-" : ""}${abs / 10n}.${abs % 10n}%`;
}

const cmp = (a: bigint | number, b: bigint | number) => (a < b ? -1 : a > b ? 1 : 0);

/** Today in Shanghai, YYYY-MM-DD. */
function shanghaiToday(): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date());
}

function addDays(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + n * DAY_MS).toISOString().slice(0, 10);
}

function entry<V>(map: Map<string, V>, key: string, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

function summarize(data: VendorCosts) {
  const total = zero();
  const models = new Map<string, ModelTotals>();
  const byDay = new Map<string, Totals>();
  for (const r of data.items) {
    add(total, r);
    add(
      entry(models, r.model, () => ({ ...zero(), model: r.model })),
      r,
    );
    add(entry(byDay, r.day, zero), r);
  }
  // Every day of the range, the quiet ones too (as the API counts them: the last `days` Shanghai days).
  const latest = [shanghaiToday(), ...data.items.map((r) => r.day)].sort().at(-1)!;
  const days = Array.from({ length: data.days }, (_, i) => addDays(latest, i - data.days + 1));
  const rows = [...models.values()].sort((a, b) => cmp(b.tasks, a.tasks) || a.model.localeCompare(b.model));
  return { total, rows, days, byDay };
}

function chart(s: ReturnType<typeof summarize>, t: T): ChartOption {
  const bar = s.days.length > 7 ? 10 : 28;
  const day = (d: string) => s.byDay.get(d) ?? zero();
  return {
    color: ["#1677ff", "#fa8c16", "#52c41a"],
    xAxis: {
      type: "category",
      data: s.days.map((d) => d.slice(5)),
      axisTick: { show: false },
      axisLabel: { color: "#8a8f99", hideOverlap: true },
      axisLine: { lineStyle: { color: "#e5e7eb" } },
    },
    yAxis: {
      type: "value",
      axisLabel: { color: "#8a8f99" },
      splitLine: { lineStyle: { color: "#f0f1f4" } },
    },
    series: [
      {
        name: t("costs.chargedCny"),
        type: "bar",
        barMaxWidth: bar,
        data: s.days.map((d) => chartNumber(day(d).charged)),
      },
      {
        name: t("costs.vendorCost"),
        type: "bar",
        barMaxWidth: bar,
        data: s.days.map((d) => chartNumber(day(d).cost)),
      },
      {
        name: t("costs.margin"),
        type: "line",
        smooth: 0.3,
        smoothMonotone: "x",
        symbolSize: 5,
        data: s.days.map((d) => chartNumber(margin(day(d)))),
      },
    ],
  };
}

/** Red when below zero. */
function Signed({ milli, children, testId }: { milli: bigint; children: ReactNode; testId: string }) {
  return (
    <Typography.Text type={milli < 0n ? "danger" : undefined} data-testid={testId}>
      {children}
    </Typography.Text>
  );
}

/** Issue 13 §7: credits charged vs what the vendors bill, by model and by Shanghai day (admin, finance). */
export function VendorCostsPage({ me }: { me: AdminMe }) {
  const { t } = useI18n();
  const [days, setDays] = useState<Days>(7);
  const query = useQuery({
    queryKey: ["admin", "vendor-costs", days],
    queryFn: () => adminApi.vendorCosts(days),
  });
  // The catalog's names when the role may read it (admin); finance sees the model ids.
  const catalog = useQuery({
    queryKey: ["admin", "models"],
    queryFn: () => adminApi.models(),
    enabled: canOpen(me.roles, "models"),
  });
  const names = useMemo(
    () => new Map((catalog.data?.items ?? []).map((m) => [m.id, m.name])),
    [catalog.data],
  );
  const data = query.data;
  const s = useMemo(() => (data ? summarize(data) : null), [data]);
  const option = useMemo(() => (s && s.rows.length > 0 ? chart(s, t) : null), [s, t]);

  const columns: ColumnsType<ModelTotals> = [
    {
      title: t("costs.model"),
      dataIndex: "model",
      render: (id: string) => (
        <Space orientation="vertical" size={0}>
          <span>{names.get(id) ?? id}</span>
          {names.has(id) && (
            <Typography.Text type="secondary" className="mono" style={{ fontSize: 12 }}>
              {id}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t("costs.tasks"),
      dataIndex: "tasks",
      align: "right",
      sorter: (a, b) => cmp(a.tasks, b.tasks),
      render: (v: number) => <span data-testid="cost-tasks">{formatCount(v)}</span>,
    },
    {
      title: t("costs.rate"),
      key: "rate",
      align: "right",
      render: (_, r) => (
        <span data-testid="cost-rate">{percentOf(BigInt(r.succeeded), BigInt(r.tasks))}</span>
      ),
    },
    {
      title: t("costs.creditsCharged"),
      key: "credits",
      align: "right",
      sorter: (a, b) => cmp(a.credits, b.credits),
      render: (_, r) => <span data-testid="cost-credits">{formatCredits(r.credits.toString())}</span>,
    },
    {
      title: t("costs.chargedCny"),
      key: "charged",
      align: "right",
      sorter: (a, b) => cmp(a.charged, b.charged),
      render: (_, r) => <span data-testid="cost-charged">{yuan(r.charged)}</span>,
    },
    {
      title: t("costs.vendorCost"),
      key: "cost",
      align: "right",
      sorter: (a, b) => cmp(a.cost, b.cost),
      render: (_, r) => <span data-testid="cost-vendor">{yuan(r.cost)}</span>,
    },
    {
      title: t("costs.margin"),
      key: "margin",
      align: "right",
      sorter: (a, b) => cmp(margin(a), margin(b)),
      render: (_, r) => (
        <Signed milli={margin(r)} testId="cost-margin">
          {yuan(margin(r))}
        </Signed>
      ),
    },
    {
      title: t("costs.marginRate"),
      key: "marginRate",
      align: "right",
      render: (_, r) => (
        <Signed milli={margin(r)} testId="cost-margin-rate">
          {percentOf(margin(r), r.charged)}
        </Signed>
      ),
    },
  ];

  return (
    <div data-testid="vendor-costs-page">
      <PageHeader
        title={t("menu.vendorCosts")}
        sub={s && t("costs.sub", { from: s.days[0]!, to: s.days[s.days.length - 1]! })}
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
              data-testid="costs-range"
            />
            <Button icon={<ReloadOutlined />} onClick={() => void query.refetch()} loading={query.isFetching}>
              {t("common.refresh")}
            </Button>
          </Space>
        }
      />
      {query.isError && <QueryError error={query.error} onRetry={() => void query.refetch()} />}
      {!data && query.isPending && <Skeleton active paragraph={{ rows: 8 }} />}
      {s && s.rows.length === 0 && (
        <Card>
          <Empty description={t("costs.empty")} data-testid="costs-empty" />
        </Card>
      )}
      {s && s.rows.length > 0 && (
        <>
          <Row gutter={[12, 12]} data-testid="costs-summary">
            <Kpi testId="costs-kpi-tasks" title={t("costs.tasks")} value={formatCount(s.total.tasks)} />
            <Kpi
              testId="costs-kpi-succeeded"
              title={t("costs.succeeded")}
              value={formatCount(s.total.succeeded)}
              sub={t("costs.successRate", {
                rate: percentOf(BigInt(s.total.succeeded), BigInt(s.total.tasks)),
              })}
            />
            <Kpi
              testId="costs-kpi-credits"
              title={t("costs.creditsCharged")}
              value={formatCredits(s.total.credits.toString())}
              sub={t("costs.creditsChargedCny", { cny: yuan(s.total.charged) })}
            />
            <Kpi testId="costs-kpi-charged" title={t("costs.chargedCny")} value={yuan(s.total.charged)} />
            <Kpi testId="costs-kpi-cost" title={t("costs.vendorCost")} value={yuan(s.total.cost)} />
            <Kpi
              testId="costs-kpi-margin"
              title={t("costs.margin")}
              value={yuan(margin(s.total))}
              negative={margin(s.total) < 0n}
              sub={t("costs.marginDetail", { rate: percentOf(margin(s.total), s.total.charged) })}
            />
          </Row>
          <Card title={t("costs.byModel")} size="small" style={{ marginTop: 12 }}>
            <Table<ModelTotals>
              rowKey="model"
              columns={columns}
              dataSource={s.rows}
              loading={query.isFetching}
              pagination={false}
              size="middle"
              onRow={(r) =>
                ({ "data-testid": "cost-row", "data-model": r.model }) as React.HTMLAttributes<HTMLElement>
              }
            />
          </Card>
          {option && (
            <Card title={t("costs.chartTitle")} size="small" style={{ marginTop: 12 }}>
              <EChart option={option} testId="chart-costs" />
            </Card>
          )}
        </>
      )}
    </div>
  );
}

function Kpi(props: { title: string; value: string; sub?: ReactNode; testId: string; negative?: boolean }) {
  return (
    <Col span={4}>
      <Card size="small" className="kpi-card" data-testid={props.testId}>
        <Statistic
          title={props.title}
          value={props.value}
          styles={{ content: { fontSize: 22, ...(props.negative ? { color: "#ff4d4f" } : {}) } }}
        />
        <div className="kpi-sub">{props.sub ?? "\u00a0"}</div>
      </Card>
    </Col>
  );
}
