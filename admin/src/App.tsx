import {
  AuditOutlined,
  BankOutlined,
  DashboardOutlined,
  DownOutlined,
  GlobalOutlined,
  HomeOutlined,
  LogoutOutlined,
  SafetyOutlined,
  ScheduleOutlined,
  SettingOutlined,
  ShoppingOutlined,
  UserOutlined,
} from "@ant-design/icons";
import type { AdminRole } from "@skyriff/contracts";
import { useQueryClient } from "@tanstack/react-query";
import {
  App as AntApp,
  Avatar,
  Breadcrumb,
  Button,
  Dropdown,
  Layout,
  Menu,
  type MenuProps,
  Result,
  Space,
  Spin,
  Tag,
} from "antd";
import { lazy, type ReactNode, Suspense, useEffect, useMemo } from "react";
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from "react-router-dom";
import { type AdminMe, ApiError, client, errorMessage, onSessionEnded } from "./api.ts";
import { canOpen, type PageKey, useAdminMe, useLoggedIn } from "./auth.tsx";
import { LANGS, type MessageKey, useI18n } from "./i18n.tsx";
import { LoginPage } from "./pages/Login.tsx";

// Each page is its own chunk (echarts only loads with the dashboard and the vendor costs).
const AuditPage = lazy(() => import("./pages/Audit.tsx").then((m) => ({ default: m.AuditPage })));
const DashboardPage = lazy(() => import("./pages/Dashboard.tsx").then((m) => ({ default: m.DashboardPage })));
const JobsPage = lazy(() => import("./pages/Jobs.tsx").then((m) => ({ default: m.JobsPage })));
const ModelsPage = lazy(() => import("./pages/Models.tsx").then((m) => ({ default: m.ModelsPage })));
const OrdersPage = lazy(() => import("./pages/Orders.tsx").then((m) => ({ default: m.OrdersPage })));
const PaymentsPage = lazy(() => import("./pages/Payments.tsx").then((m) => ({ default: m.PaymentsPage })));
const ProductsPage = lazy(() => import("./pages/Products.tsx").then((m) => ({ default: m.ProductsPage })));
const ReconciliationPage = lazy(() =>
  import("./pages/Reconciliation.tsx").then((m) => ({ default: m.ReconciliationPage })),
);
const SensitiveWordsPage = lazy(() =>
  import("./pages/SensitiveWords.tsx").then((m) => ({ default: m.SensitiveWordsPage })),
);
const VendorCostsPage = lazy(() =>
  import("./pages/VendorCosts.tsx").then((m) => ({ default: m.VendorCostsPage })),
);
const UsersPage = lazy(() => import("./pages/Users.tsx").then((m) => ({ default: m.UsersPage })));
const WithdrawalsPage = lazy(() =>
  import("./pages/Withdrawals.tsx").then((m) => ({ default: m.WithdrawalsPage })),
);
const WorksPage = lazy(() => import("./pages/Works.tsx").then((m) => ({ default: m.WorksPage })));

type PageDef = { key: PageKey; path: string; label: MessageKey; element: (me: AdminMe) => ReactNode };

const PAGES: PageDef[] = [
  { key: "dashboard", path: "/dashboard", label: "menu.dashboard", element: () => <DashboardPage /> },
  { key: "users", path: "/users", label: "menu.users", element: (me) => <UsersPage me={me} /> },
  { key: "withdrawals", path: "/withdrawals", label: "menu.withdrawals", element: () => <WithdrawalsPage /> },
  { key: "payments", path: "/payments", label: "menu.payments", element: () => <PaymentsPage /> },
  {
    key: "reconciliation",
    path: "/reconciliation",
    label: "menu.reconciliation",
    element: () => <ReconciliationPage />,
  },
  {
    key: "vendorCosts",
    path: "/vendor-costs",
    label: "menu.vendorCosts",
    element: (me) => <VendorCostsPage me={me} />,
  },
  { key: "works", path: "/works", label: "menu.works", element: () => <WorksPage /> },
  {
    key: "sensitiveWords",
    path: "/sensitive-words",
    label: "menu.sensitiveWords",
    element: () => <SensitiveWordsPage />,
  },
  { key: "orders", path: "/orders", label: "menu.orders", element: () => <OrdersPage /> },
  { key: "products", path: "/products", label: "menu.products", element: () => <ProductsPage /> },
  { key: "models", path: "/models", label: "menu.models", element: () => <ModelsPage /> },
  { key: "jobs", path: "/jobs", label: "menu.jobs", element: () => <JobsPage /> },
  { key: "audit", path: "/audit", label: "menu.audit", element: () => <AuditPage /> },
];
const pagePath = (key: PageKey) => PAGES.find((p) => p.key === key)!.path;

/** The left menu: groups as in Ant Design Pro, only the pages the admin's roles may open. */
const MENU: {
  group?: { key: string; label: MessageKey; icon: ReactNode };
  pages: PageKey[];
  icon?: ReactNode;
}[] = [
  { pages: ["dashboard"], icon: <DashboardOutlined /> },
  { pages: ["users"], icon: <UserOutlined /> },
  {
    group: { key: "finance", label: "menu.finance", icon: <BankOutlined /> },
    pages: ["withdrawals", "payments", "reconciliation", "vendorCosts"],
  },
  {
    group: { key: "moderation", label: "menu.moderation", icon: <SafetyOutlined /> },
    pages: ["works", "sensitiveWords"],
  },
  { pages: ["orders"], icon: <ShoppingOutlined /> },
  {
    group: { key: "catalog", label: "menu.catalog", icon: <SettingOutlined /> },
    pages: ["products", "models"],
  },
  { pages: ["jobs"], icon: <ScheduleOutlined /> },
  { pages: ["audit"], icon: <AuditOutlined /> },
];

export function App() {
  return (
    <AntApp>
      <SessionWatcher />
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/*" element={<RequireConsole />} />
      </Routes>
    </AntApp>
  );
}

/** Drops cached data when the session ends (logout here or in another tab, a refused refresh). */
function SessionWatcher() {
  const queryClient = useQueryClient();
  const loggedIn = useLoggedIn();
  const { message } = AntApp.useApp();
  const { t } = useI18n();
  useEffect(() => {
    if (!loggedIn) queryClient.clear();
  }, [loggedIn, queryClient]);
  useEffect(
    () =>
      onSessionEnded(() => {
        queryClient.clear();
        void message.warning(t("common.sessionEnded"));
      }),
    [queryClient, message, t],
  );
  return null;
}

function RequireConsole() {
  const loggedIn = useLoggedIn();
  const location = useLocation();
  const me = useAdminMe(loggedIn);
  const { t } = useI18n();
  if (!loggedIn)
    return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}` }} />;
  if (me.isPending) {
    return (
      <div className="login-page">
        <Spin size="large" />
      </div>
    );
  }
  // No back-office role: `/admin/me` answers 403/2002 (or, equally, an empty role list).
  const noRole =
    (me.isError && me.error instanceof ApiError && me.error.status === 403) ||
    (me.isSuccess && me.data.roles.length === 0);
  if (noRole) {
    return (
      <div className="login-page">
        <Result
          status="403"
          title={<span data-testid="no-role">{t("login.noRoleTitle")}</span>}
          subTitle={t("login.noRoleDesc")}
          extra={<LogoutButton primary />}
        />
      </div>
    );
  }
  if (me.isError) {
    return (
      <div className="login-page">
        <Result
          status="error"
          title={t("common.loadFailed")}
          subTitle={errorMessage(me.error, t("common.networkError"))}
          extra={
            <Space>
              <Button onClick={() => void me.refetch()}>{t("common.retry")}</Button>
              <LogoutButton />
            </Space>
          }
        />
      </div>
    );
  }
  return <ConsoleLayout me={me.data} />;
}

function LogoutButton({ primary }: { primary?: boolean }) {
  const logout = useLogout();
  const { t } = useI18n();
  return (
    <Button
      type={primary ? "primary" : "default"}
      icon={<LogoutOutlined />}
      onClick={() => void logout()}
      data-testid="logout"
    >
      {t("common.logout")}
    </Button>
  );
}

function useLogout() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return async () => {
    try {
      await client.logout();
    } catch {
      // the tokens are cleared anyway
    }
    queryClient.clear();
    navigate("/login", { replace: true });
  };
}

function ConsoleLayout({ me }: { me: AdminMe }) {
  const { t, lang, setLang } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const logout = useLogout();
  const roles = me.roles;
  const allowed = PAGES.filter((p) => canOpen(roles, p.key));
  const first = allowed[0]?.path ?? "/dashboard";
  const current = PAGES.find((p) => location.pathname.startsWith(p.path));
  const currentGroup = current ? MENU.find((e) => e.pages.includes(current.key))?.group : undefined;

  const menuItems = useMemo<MenuProps["items"]>(() => {
    const items: NonNullable<MenuProps["items"]> = [];
    for (const entry of MENU) {
      const pages = entry.pages.filter((k) => canOpen(roles, k));
      if (pages.length === 0) continue;
      const leaf = (k: PageKey, icon?: ReactNode) => {
        const def = PAGES.find((p) => p.key === k)!;
        return {
          key: def.path,
          icon,
          label: <span data-testid={`menu-${k}`}>{t(def.label)}</span>,
        };
      };
      if (entry.group) {
        items.push({
          key: entry.group.key,
          icon: entry.group.icon,
          label: t(entry.group.label),
          children: pages.map((k) => leaf(k)),
        });
      } else {
        items.push(leaf(pages[0]!, entry.icon));
      }
    }
    return items;
  }, [roles, t]);

  const openKeys = MENU.filter((e) => e.group).map((e) => e.group!.key);

  return (
    <Layout className="console-layout">
      <Layout.Sider width={220} className="console-sider" theme="dark">
        <div className="console-logo">
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" />
          <span>{t("app.name")}</span>
        </div>
        <Menu
          theme="dark"
          mode="inline"
          items={menuItems}
          selectedKeys={current ? [current.path] : []}
          defaultOpenKeys={openKeys}
          onClick={(e) => navigate(e.key)}
          data-testid="console-menu"
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="console-header">
          <Breadcrumb
            data-testid="breadcrumb"
            items={[
              {
                title: (
                  <Link to={first} aria-label={t("common.backHome")}>
                    <HomeOutlined />
                  </Link>
                ),
              },
              ...(currentGroup ? [{ title: t(currentGroup.label) }] : []),
              ...(current ? [{ title: t(current.label) }] : []),
            ]}
          />
          <div className="console-header-right">
            <Dropdown
              menu={{
                items: LANGS.map((l) => ({ key: l.value, label: l.label })),
                selectable: true,
                selectedKeys: [lang],
                onClick: (e) => setLang(e.key as typeof lang),
              }}
            >
              <Button type="text" icon={<GlobalOutlined />} data-testid="lang-switch">
                {LANGS.find((l) => l.value === lang)?.label}
              </Button>
            </Dropdown>
            <Dropdown
              menu={{
                items: [
                  {
                    key: "logout",
                    icon: <LogoutOutlined />,
                    label: <span data-testid="logout">{t("common.logout")}</span>,
                  },
                ],
                onClick: () => void logout(),
              }}
            >
              <span className="console-user" data-testid="header-user">
                <Avatar size="small" icon={<UserOutlined />} style={{ backgroundColor: "#1677ff" }} />
                <span>{me.nickname}</span>
                {roles.map((r: AdminRole) => (
                  <Tag
                    key={r}
                    color={r === "admin" ? "red" : r === "finance" ? "gold" : "blue"}
                    style={{ marginInlineEnd: 0 }}
                  >
                    {t(`role.${r}`)}
                  </Tag>
                ))}
                <DownOutlined style={{ fontSize: 10, color: "rgba(0,0,0,.45)" }} />
              </span>
            </Dropdown>
          </div>
        </Layout.Header>
        <Layout.Content className="console-content">
          <Suspense fallback={<Spin style={{ display: "block", margin: "120px auto" }} />}>
            <Routes>
              <Route index element={<Navigate to={first} replace />} />
              {PAGES.map((p) => (
                <Route
                  key={p.key}
                  path={`${p.path}/*`}
                  element={canOpen(roles, p.key) ? p.element(me) : <Forbidden to={first} />}
                />
              ))}
              <Route path="*" element={<NotFound to={first} />} />
            </Routes>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

function Forbidden({ to }: { to: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <Result
      status="403"
      title="403"
      subTitle={t("common.forbidden")}
      extra={<Button onClick={() => navigate(to)}>{t("common.backHome")}</Button>}
    />
  );
}

function NotFound({ to }: { to: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <Result
      status="404"
      title="404"
      subTitle={t("common.notFound")}
      extra={<Button onClick={() => navigate(to)}>{t("common.backHome")}</Button>}
    />
  );
}

export { pagePath };
