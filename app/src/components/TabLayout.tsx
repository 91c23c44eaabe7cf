import { TabBar } from "antd-mobile";
import { AddOutline, AppOutline, AppstoreOutline, FolderOutline, UserOutline } from "antd-mobile-icons";
import type { ReactNode } from "react";
import { Outlet, useLocation, useNavigate } from "react-router-dom";
import { type MessageKey, useI18n } from "../i18n.tsx";

const tabs: { key: string; title: MessageKey; icon: ReactNode }[] = [
  { key: "/", title: "tab.home", icon: <AppOutline /> },
  { key: "/tools", title: "tab.tools", icon: <AppstoreOutline /> },
  {
    key: "/create",
    title: "tab.create",
    icon: (
      <span className="create-tab-icon">
        <AddOutline />
      </span>
    ),
  },
  { key: "/assets", title: "tab.assets", icon: <FolderOutline /> },
  { key: "/me", title: "tab.me", icon: <UserOutline /> },
];

/** The five bottom tabs; the page scrolls above them. */
export function TabLayout() {
  const { t } = useI18n();
  const location = useLocation();
  const navigate = useNavigate();
  const active = tabs.find((tab) => tab.key !== "/" && location.pathname.startsWith(tab.key))?.key ?? "/";

  return (
    <div className="tab-layout">
      <main className="tab-layout-body">
        <Outlet />
      </main>
      <nav className="tab-layout-bar" aria-label="main">
        <TabBar safeArea activeKey={active} onChange={(key) => navigate(key)}>
          {tabs.map((tab) => (
            <TabBar.Item key={tab.key} icon={tab.icon} title={t(tab.title)} />
          ))}
        </TabBar>
      </nav>
    </div>
  );
}
