import { ErrorBlock } from "antd-mobile";
import type { ReactNode } from "react";

/** An honest "nothing here yet" block. */
export function EmptyState(props: {
  title: string;
  description?: string;
  action?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="empty-state" data-testid={props.testId}>
      <ErrorBlock status="empty" title={props.title} description={props.description ?? ""}>
        {props.action}
      </ErrorBlock>
    </div>
  );
}
