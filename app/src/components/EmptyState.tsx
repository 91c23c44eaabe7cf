import type { ReactNode } from "react";
import { Illustration, type IllustrationKind } from "./Illustrations.tsx";

export type { IllustrationKind };

/** An honest "nothing here yet" block: its own illustration, a title, an optional hint and action. */
export function EmptyState(props: {
  title: string;
  description?: string;
  action?: ReactNode;
  testId?: string;
  illustration?: IllustrationKind;
}) {
  return (
    <div className="empty-state" data-testid={props.testId}>
      <Illustration kind={props.illustration ?? "generic"} />
      <div className="empty-state-title">{props.title}</div>
      {props.description && <div className="empty-state-description">{props.description}</div>}
      {props.action && <div className="empty-state-action">{props.action}</div>}
    </div>
  );
}
