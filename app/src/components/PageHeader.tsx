import { NavBar } from "antd-mobile";
import type { ReactNode } from "react";
import { useNavigate } from "react-router-dom";

/** Top bar of a secondary page; "back" falls back to `fallback` when there is no history to go back to. */
export function PageHeader({
  title,
  fallback = "/",
  right,
}: {
  title: string;
  fallback?: string;
  right?: ReactNode;
}) {
  const navigate = useNavigate();
  const back = () => {
    const idx = (window.history.state as { idx?: number } | null)?.idx ?? 0;
    if (idx > 0) navigate(-1);
    else navigate(fallback, { replace: true });
  };
  return (
    <NavBar className="page-header" onBack={back} right={right}>
      {title}
    </NavBar>
  );
}
