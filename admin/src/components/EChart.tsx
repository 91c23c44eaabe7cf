import { BarChart, type BarSeriesOption, LineChart, type LineSeriesOption } from "echarts/charts";
import {
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  TooltipComponent,
  type TooltipComponentOption,
} from "echarts/components";
import { type ComposeOption, type ECharts, init, use } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

/**
 * One echarts chart on a canvas. The tooltip is drawn on the canvas too (`renderMode: "richText"`):
 * the HTML tooltip's inline styles would be refused by the server's CSP.
 */
export function EChart({ option, testId }: { option: ChartOption; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = init(el.current, undefined, { renderer: "canvas" });
    chart.current = c;
    const resize = new ResizeObserver(() => c.resize());
    resize.observe(el.current);
    return () => {
      resize.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      {
        animationDuration: 300,
        textStyle: {
          fontFamily: "-apple-system, 'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif",
        },
        tooltip: { trigger: "axis", renderMode: "richText", confine: true },
        legend: {
          top: 0,
          left: 0,
          icon: "roundRect",
          itemWidth: 10,
          itemHeight: 8,
          itemGap: 8,
          textStyle: { fontSize: 11 },
        },
        grid: { left: 4, right: 8, top: 32, bottom: 4, containLabel: true },
        ...option,
      },
      { notMerge: true },
    );
  }, [option]);

  return <div ref={el} className="chart" data-testid={testId} />;
}
