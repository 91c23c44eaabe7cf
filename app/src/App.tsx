import { Navigate, Route, Routes } from "react-router-dom";
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
import { PlayerPage } from "./pages/Player.tsx";
import { ProfileEditPage } from "./pages/ProfileEdit.tsx";
import { RechargePage } from "./pages/Recharge.tsx";
import { SettingsPage } from "./pages/Settings.tsx";
import { TasksPage } from "./pages/Tasks.tsx";
import { ToolsPage } from "./pages/Tools.tsx";
import { WechatCallbackPage } from "./pages/WechatCallback.tsx";

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
          path="me/recharge"
          element={
            <RequireAuth>
              <RechargePage />
            </RequireAuth>
          }
        />
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
        <Route path="about" element={<AboutPage />} />
        <Route path="agreements/:doc" element={<AgreementPage />} />
        <Route path="login" element={<LoginPage />} />
        <Route path="login/wechat" element={<WechatCallbackPage />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </>
  );
}
