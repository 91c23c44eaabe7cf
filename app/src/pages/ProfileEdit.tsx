import type { UserPublic } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Avatar, Button, Input, Skeleton, TextArea, Toast } from "antd-mobile";
import { CameraOutline } from "antd-mobile-icons";
import { useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { client, errorMessage } from "../api.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import { useI18n } from "../i18n.tsx";

const NICKNAME_MAX = 20;
const BIO_MAX = 200;

/** 编辑资料: avatar (from an upload of one's own), nickname and bio (PATCH /me/profile). */
export function ProfileEditPage() {
  const { t } = useI18n();
  const me = useQuery({ queryKey: ["me"], queryFn: () => client.me() });
  return (
    <div className="page profile-page">
      <PageHeader title={t("profile.title")} fallback="/me" />
      {me.data ? <ProfileForm user={me.data} /> : <Skeleton.Paragraph lineCount={5} animated />}
    </div>
  );
}

function ProfileForm({ user }: { user: UserPublic }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [nickname, setNickname] = useState(user.nickname);
  const [bio, setBio] = useState(user.bio);
  const [avatarUrl, setAvatarUrl] = useState(user.avatar_url ?? "");
  const [uploading, setUploading] = useState(false);
  const [saving, setSaving] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const applyUser = (updated: UserPublic) => {
    queryClient.setQueryData(["me"], updated);
    void queryClient.invalidateQueries({ queryKey: ["me", "home"] });
  };

  const changeAvatar = async (file: File) => {
    setUploading(true);
    try {
      const uploaded = await client.uploadImage(file, file.name);
      const updated = await client.updateProfile({ avatar_asset_id: uploaded.asset_id });
      setAvatarUrl(updated.avatar_url ?? "");
      applyUser(updated);
      Toast.show({ icon: "success", content: t("profile.avatarSaved") });
    } catch (err) {
      Toast.show({ icon: "fail", content: errorMessage(err, t("common.networkError")) });
    } finally {
      setUploading(false);
      if (fileInput.current) fileInput.current.value = "";
    }
  };

  const save = async () => {
    const name = nickname.trim();
    if (!name) {
      Toast.show({ content: t("profile.nicknameRequired") });
      return;
    }
    setSaving(true);
    try {
      const updated = await client.updateProfile({ nickname: name, bio: bio.trim() });
      applyUser(updated);
      Toast.show({ icon: "success", content: t("profile.saved") });
      navigate("/me", { replace: true });
    } catch (err) {
      Toast.show({ icon: "fail", content: errorMessage(err, t("common.networkError")) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="profile-form">
      <button
        type="button"
        className="profile-avatar"
        data-testid="profile-avatar"
        disabled={uploading}
        onClick={() => fileInput.current?.click()}
      >
        <Avatar src={avatarUrl} className="profile-avatar-img" />
        <span className="profile-avatar-badge">
          <CameraOutline />
        </span>
        <span className="profile-avatar-text">
          {uploading ? t("create.uploading") : t("profile.changeAvatar")}
        </span>
      </button>
      <input
        ref={fileInput}
        type="file"
        accept="image/jpeg,image/png,image/webp"
        hidden
        data-testid="profile-avatar-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void changeAvatar(file);
        }}
      />

      <div className="profile-field">
        <label htmlFor="profile-nickname">{t("profile.nickname")}</label>
        <Input
          id="profile-nickname"
          data-testid="profile-nickname"
          value={nickname}
          maxLength={NICKNAME_MAX}
          placeholder={t("profile.nicknamePlaceholder")}
          onChange={setNickname}
          clearable
        />
      </div>
      <div className="profile-field">
        <label htmlFor="profile-bio">{t("profile.bio")}</label>
        <TextArea
          id="profile-bio"
          data-testid="profile-bio"
          value={bio}
          maxLength={BIO_MAX}
          rows={3}
          showCount
          placeholder={t("profile.bioPlaceholder")}
          onChange={setBio}
        />
      </div>
      <Button
        block
        color="primary"
        shape="rounded"
        size="large"
        loading={saving}
        data-testid="profile-save"
        onClick={() => void save()}
      >
        {t("profile.save")}
      </Button>
    </div>
  );
}
