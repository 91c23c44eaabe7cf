import { DotLoading } from "antd-mobile";
import { lazy, Suspense } from "react";
import { Navigate, Route, Routes, useParams } from "react-router-dom";
import { RequireAuth, SessionWatcher } from "./auth.tsx";
import { TabLayout } from "./components/TabLayout.tsx";
import { AboutPage } from "./pages/About.tsx";
import { AgreementPage } from "./pages/Agreement.tsx";
import { AssetsPage } from "./pages/Assets.tsx";
import { BindPhonePage } from "./pages/BindPhone.tsx";
import { CreatePage } from "./pages/Create.tsx";
import { DeleteAccountPage } from "./pages/DeleteAccount.tsx";
import { HomePage } from "./pages/Home.tsx";
import { LedgerPage } from "./pages/Ledger.tsx";
import { LoginPage } from "./pages/Login.tsx";
import { MePage } from "./pages/Me.tsx";
import { MessagesPage } from "./pages/Messages.tsx";
import { MyOrdersPage } from "./pages/MyOrders.tsx";
import { OrderCreatePage } from "./pages/OrderCreate.tsx";
import { OrderDetailPage } from "./pages/OrderDetail.tsx";
import { OrdersHallPage } from "./pages/OrdersHall.tsx";
import { PaymentResultPage } from "./pages/PaymentResult.tsx";
import { PaymentsPage } from "./pages/Payments.tsx";
import { PendingCoinsPage } from "./pages/PendingCoins.tsx";
import { PlayerPage } from "./pages/Player.tsx";
import { ProfileEditPage } from "./pages/ProfileEdit.tsx";
import { PromoterPage } from "./pages/Promoter.tsx";
import { PublishPage } from "./pages/Publish.tsx";
import { RechargePage } from "./pages/Recharge.tsx";
import { SettingsPage } from "./pages/Settings.tsx";
import { TaskCenterPage } from "./pages/TaskCenter.tsx";
import { TasksPage } from "./pages/Tasks.tsx";
import { ToolsPage } from "./pages/Tools.tsx";
import { UserListPage, UserProfilePage } from "./pages/UserProfile.tsx";
import { WechatCallbackPage } from "./pages/WechatCallback.tsx";
import { WithdrawPage } from "./pages/Withdraw.tsx";
import { WorkPlayerPage } from "./pages/WorkPlayer.tsx";

// 我的收益 brings echarts: its own chunk, loaded when the page is opened.
const EarningsPage = lazy(() => import("./pages/Earnings.tsx").then((m) => ({ default: m.EarningsPage })));

function PageLoading() {
  return (
    <div className="center-block muted">
      <DotLoading />
    </div>
  );
}

/** `/works/:id` is the server's public share page; should the app ever be asked for it, play the work. */
function WorkRedirect() {
  const { id = "" } = useParams();
  return <Navigate to={`/play/${encodeURIComponent(id)}`} replace />;
}

export function App() {
  return (
    <>
      <SessionWatcher />
      <Routes>
        <Route element={<TabLayout />}>
          <Route index element={<HomePage />} />
          <Route path="tools" element={<ToolsPage />} />
          <Route
            path="create"
            element={
              <RequireAuth>
                <CreatePage />
              </RequireAuth>
            }
          />
          <Route
            path="assets"
            element={
              <RequireAuth>
                <AssetsPage />
              </RequireAuth>
            }
          />
          <Route
            path="me"
            element={
              <RequireAuth>
                <MePage />
              </RequireAuth>
            }
          />
        </Route>
        <Route
          path="tasks"
          element={
            <RequireAuth>
              <TasksPage />
            </RequireAuth>
          }
        />
        <Route
          path="assets/videos/:id"
          element={
            <RequireAuth>
              <PlayerPage />
            </RequireAuth>
          }
        />
        <Route
          path="assets/videos/:id/publish"
          element={
            <RequireAuth>
              <PublishPage />
            </RequireAuth>
          }
        />
        {/* A work in the swipe player: the share page's 打开 App links here (/works/:id is that page). */}
        <Route path="play/:id" element={<WorkPlayerPage />} />
        <Route path="works/:id" element={<WorkRedirect />} />
        <Route path="users/:id" element={<UserProfilePage />} />
        <Route path="users/:id/followers" element={<UserListPage kind="followers" />} />
        <Route path="users/:id/following" element={<UserListPage kind="following" />} />
        <Route
          path="me/pending-coins"
          element={
            <RequireAuth>
              <PendingCoinsPage />
            </RequireAuth>
          }
        />
        <Route
          path="me/recharge"
          element={
            <RequireAuth>
              <RechargePage />
            </RequireAuth>
          }
        />
        <Route
          path="me/payments"
          element={
            <RequireAuth>
              <PaymentsPage />
            </RequireAuth>
          }
        />
        {/* Where the gateway's page (the sandbox 收银台, WeChat / Alipay H5) sends the browser back. */}
        <Route
          path="pay/result/:id"
          element={
            <RequireAuth>
              <PaymentResultPage />
            </RequireAuth>
          }
        />
        <Route
          path="me/promoter"
          element={
            <RequireAuth>
              <PromoterPage />
            </RequireAuth>
          }
        />
        <Route
          path="me/tasks-center"
          element={
            <RequireAuth>
              <TaskCenterPage />
            </RequireAuth>
          }
        />
        <Route
          path="me/withdraw"
          element={
            <RequireAuth>
              <WithdrawPage />
            </RequireAuth>
          }
        />
        <Route
          path="me/earnings"
          element={
            <RequireAuth>
              <Suspense fallback={<PageLoading />}>
                <EarningsPage />
              </Suspense>
            </RequireAuth>
          }
        />
        <Route
          path="me/messages"
          element={
            <RequireAuth>
              <MessagesPage />
            </RequireAuth>
          }
        />
        <Route path="messages" element={<Navigate to="/me/messages" replace />} />
        <Route
          path="me/ledger"
          element={
            <RequireAuth>
              <LedgerPage />
            </RequireAuth>
          }
        />
        <Route
          path="me/settings"
          element={
            <RequireAuth>
              <SettingsPage />
            </RequireAuth>
          }
        />
        <Route
          path="me/profile"
          element={
            <RequireAuth>
              <ProfileEditPage />
            </RequireAuth>
          }
        />
        <Route
          path="me/bind-phone"
          element={
            <RequireAuth>
              <BindPhonePage />
            </RequireAuth>
          }
        />
        <Route
          path="me/delete-account"
          element={
            <RequireAuth>
              <DeleteAccountPage />
            </RequireAuth>
          }
        />
        {/* 商单 (SPEC §6): the market, posting one, one order, and mine. */}
        <Route
          path="orders"
          element={
            <RequireAuth>
              <OrdersHallPage />
            </RequireAuth>
          }
        />
        <Route
          path="orders/new"
          element={
            <RequireAuth>
              <OrderCreatePage />
            </RequireAuth>
          }
        />
        <Route
          path="orders/:id"
          element={
            <RequireAuth>
              <OrderDetailPage />
            </RequireAuth>
          }
        />
        <Route
          path="me/orders"
          element={
            <RequireAuth>
              <MyOrdersPage />
            </RequireAuth>
          }
        />
        <Route path="about" element={<AboutPage />} />
        <Route path="agreements/:doc" element={<AgreementPage />} />
        <Route path="login" element={<LoginPage />} />
        <Route path="login/wechat" element={<WechatCallbackPage />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </>
  );
}
