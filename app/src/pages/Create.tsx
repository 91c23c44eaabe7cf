import type { Ratio, TaskCreateBody } from "@skyriff/contracts";
import { useQuery } from "@tanstack/react-query";
import {
  Button,
  DotLoading,
  List,
  NavBar,
  Picker,
  Selector,
  SpinLoading,
  TextArea,
  Toast,
} from "antd-mobile";
import { AddOutline, CloseOutline, PictureOutline, UnorderedListOutline } from "antd-mobile-icons";
import { type ChangeEvent, useEffect, useRef, useState } from "react";
import { useLocation, useNavigate } from "react-router-dom";
import { client, errorMessage } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import {
  type CreateDraft,
  type CreatePrefillState,
  clearDraft,
  loadDraft,
  previewFor,
  rememberPreview,
  saveDraft,
  UNCATEGORIZED,
  useConfig,
  useStartGeneration,
} from "../generation.tsx";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { modelName } from "../models.ts";
import { formatCredits } from "../money.ts";

const RATIO_HINT: Record<string, MessageKey> = {
  "9:16": "create.ratioPortrait",
  "16:9": "create.ratioLandscape",
  "1:1": "create.ratioSquare",
};

/** Where the form starts: the settings handed over by 编辑后生成 / 再次生成, else this tab's draft. */
function initialDraft(state: unknown): { draft: CreateDraft | null; prefilled: boolean } {
  const prefill = (state as Partial<CreatePrefillState> | null)?.prefill;
  if (prefill) return { draft: prefill, prefilled: true };
  return { draft: loadDraft(), prefilled: false };
}

export function CreatePage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const { start, submitting } = useStartGeneration();
  const [initial] = useState(() => initialDraft(location.state));

  const config = useConfig();
  // The balance decides what the user is told before confirming: always re-read it on entry.
  const wallets = useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets(), staleTime: 0 });
  const projects = useQuery({ queryKey: ["projects"], queryFn: () => client.projects() });

  const [prompt, setPrompt] = useState(initial.draft?.prompt ?? "");
  const [modelId, setModelId] = useState<string | null>(initial.draft?.model ?? null);
  const [durationPick, setDurationPick] = useState<number | null>(initial.draft?.duration ?? null);
  const [ratioPick, setRatioPick] = useState<string | null>(initial.draft?.ratio ?? null);
  const [projectPick, setProjectPick] = useState<string>(initial.draft?.projectId ?? UNCATEGORIZED);
  const [projectPickerOpen, setProjectPickerOpen] = useState(false);
  const [referenceId, setReferenceId] = useState<string | null>(initial.draft?.referenceAssetId ?? null);
  const [previewBroken, setPreviewBroken] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  // Settings handed over by 编辑后生成 / 再次生成 apply once: drop them from the history entry, so a
  // reload or a later visit starts from the (edited) draft instead.
  useEffect(() => {
    if (!initial.prefilled) return;
    Toast.show({ content: t("create.prefilled") });
    navigate(".", { replace: true, state: null });
  }, [initial.prefilled, navigate, t]);

  // Every change is kept for this tab: a trip to 去充值 (or anywhere else) and back finds it again.
  useEffect(() => {
    saveDraft({
      prompt,
      model: modelId,
      duration: durationPick,
      ratio: ratioPick,
      projectId: projectPick,
      referenceAssetId: referenceId,
    });
  }, [prompt, modelId, durationPick, ratioPick, projectPick, referenceId]);

  const models = config.data?.models ?? [];
  const model = models.find((m) => m.id === modelId) ?? models[0];
  // Only what the chosen model allows; a choice the new model lacks falls back to its first option.
  const duration =
    model && durationPick !== null && model.durations.includes(durationPick)
      ? durationPick
      : model?.durations[0];
  const ratio =
    model && ratioPick !== null && model.ratios.includes(ratioPick)
      ? ratioPick
      : model?.ratios.includes("9:16")
        ? "9:16"
        : model?.ratios[0];
  const maxChars = config.data?.generation.prompt_max_chars ?? 1000;
  const balance = wallets.data?.credits.balance;
  // Credits are integers: an integer product, never a float.
  const cost = model && duration !== undefined ? model.credits_per_second * duration : undefined;
  const after = balance !== undefined && cost !== undefined ? balance - cost : undefined;
  const projectItems = projects.data?.items ?? [];
  // A project deleted since the draft was made: the video goes to 未分类, as the label says.
  const projectId =
    projectPick === UNCATEGORIZED ||
    !projects.isSuccess ||
    projectItems.some((p) => p.project_id === projectPick)
      ? projectPick
      : UNCATEGORIZED;
  const projectName =
    projectId === UNCATEGORIZED
      ? t("assets.uncategorized")
      : (projectItems.find((p) => p.project_id === projectId)?.name ?? t("assets.uncategorized"));
  const preview = referenceId ? previewFor(referenceId) : null;

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file) return;
    setUploadError(null);
    setUploading(true);
    const local = URL.createObjectURL(file);
    try {
      const res = await client.uploadImage(file, file.name);
      rememberPreview(res.asset_id, local, res.url);
      setPreviewBroken(false);
      setReferenceId(res.asset_id);
    } catch (err) {
      URL.revokeObjectURL(local);
      const message = errorMessage(err, t("common.networkError"));
      setUploadError(message);
      Toast.show({ content: message });
    } finally {
      setUploading(false);
    }
  };

  const submit = async () => {
    if (!model || duration === undefined || !ratio || cost === undefined) return;
    const text = prompt.trim();
    if (!text) {
      Toast.show({ content: t("create.promptRequired") });
      return;
    }
    const body: TaskCreateBody = {
      prompt: text,
      duration_sec: duration,
      ratio: ratio as Ratio,
      model: model.id,
      project_id: projectId === UNCATEGORIZED ? null : projectId,
      reference_image_asset_id: model.image_to_video && referenceId ? referenceId : null,
    };
    const res = await start(body);
    if (!res) return;
    // Started: the next visit to 创作 begins with an empty form.
    clearDraft();
    navigate("/tasks");
  };

  const header = (
    <NavBar
      className="page-header"
      backIcon={false}
      right={
        <button
          type="button"
          className="link-button"
          onClick={() => navigate("/tasks")}
          data-testid="to-tasks"
        >
          <UnorderedListOutline /> {t("create.myTasks")}
        </button>
      }
    >
      {t("create.title")}
    </NavBar>
  );

  if (config.isPending) {
    return (
      <div className="page">
        {header}
        <div className="center-block muted">
          {t("common.loading")}
          <DotLoading />
        </div>
      </div>
    );
  }
  if (config.isError) {
    return (
      <div className="page">
        {header}
        <div className="center-block">
          <Button size="small" onClick={() => void config.refetch()}>
            {t("common.loadFailedRetry")}
          </Button>
        </div>
      </div>
    );
  }
  if (!model) {
    return (
      <div className="page">
        {header}
        <EmptyState testId="create-no-models" illustration="models" title={t("create.noModels")} />
      </div>
    );
  }

  return (
    <div className="page create-page">
      {header}

      <section className="create-section">
        <div className="create-label">{t("create.prompt")}</div>
        <TextArea
          className="create-prompt"
          placeholder={t("create.promptPlaceholder")}
          value={prompt}
          onChange={setPrompt}
          maxLength={maxChars}
          autoSize={{ minRows: 4, maxRows: 10 }}
          showCount={(length, max) => (
            <span data-testid="prompt-count">
              {length}/{max}
            </span>
          )}
        />
      </section>

      <section className="create-section">
        <div className="create-label">{t("create.referenceImage")}</div>
        {model.image_to_video ? (
          <div className="create-upload">
            {referenceId ? (
              <div className="create-upload-tile" data-testid="reference-tile" data-asset-id={referenceId}>
                {preview && !previewBroken ? (
                  <img
                    src={preview}
                    alt=""
                    data-testid="reference-preview"
                    onError={() => setPreviewBroken(true)}
                  />
                ) : (
                  // A reference copied from an earlier task (or an expired preview link): it is attached,
                  // there is just no picture of it on this device.
                  <span className="gl-reference-placeholder" data-testid="reference-placeholder">
                    <PictureOutline fontSize={26} />
                    {t("create.referenceAttached")}
                  </span>
                )}
                <button
                  type="button"
                  className="create-upload-remove"
                  aria-label={t("create.removeImage")}
                  data-testid="reference-remove"
                  onClick={() => setReferenceId(null)}
                >
                  <CloseOutline />
                </button>
              </div>
            ) : (
              <button
                type="button"
                className="create-upload-tile create-upload-add"
                disabled={uploading}
                onClick={() => fileInput.current?.click()}
                data-testid="reference-add"
              >
                {uploading ? <SpinLoading style={{ "--size": "24px" }} /> : <AddOutline fontSize={26} />}
                <span>{uploading ? t("create.uploading") : t("create.uploadImage")}</span>
              </button>
            )}
            <input
              ref={fileInput}
              type="file"
              accept="image/jpeg,image/png,image/webp"
              hidden
              data-testid="reference-input"
              onChange={(e) => void onFile(e)}
            />
            <div className="create-upload-hint">
              {uploadError ? (
                <span className="create-error" data-testid="upload-error">
                  {uploadError}
                </span>
              ) : (
                <span className="muted">{t("create.imageHint")}</span>
              )}
            </div>
          </div>
        ) : (
          <div className="muted create-hint" data-testid="no-image-to-video">
            {t("create.imageNotSupported")}
          </div>
        )}
      </section>

      <section className="create-section">
        <div className="create-label">{t("create.model")}</div>
        <Selector<string>
          data-testid="model-picker"
          columns={2}
          options={models.map((m) => ({
            value: m.id,
            label: <span data-testid={`model-option-${m.id}`}>{modelName(m.id, m.name, lang)}</span>,
          }))}
          value={[model.id]}
          onChange={(v) => {
            if (v[0]) setModelId(v[0]);
          }}
        />
      </section>

      <section className="create-section">
        <div className="create-label">{t("create.duration")}</div>
        <Selector<number>
          data-testid="duration-picker"
          columns={3}
          options={model.durations.map((d) => ({
            value: d,
            label: (
              <span data-testid={`duration-option-${d}`}>{t("create.durationOption", { seconds: d })}</span>
            ),
          }))}
          value={duration === undefined ? [] : [duration]}
          onChange={(v) => {
            if (v[0] !== undefined) setDurationPick(v[0]);
          }}
        />
      </section>

      <section className="create-section">
        <div className="create-label">{t("create.ratio")}</div>
        <Selector<string>
          data-testid="ratio-picker"
          columns={3}
          options={model.ratios.map((r) => ({
            value: r,
            label: <span data-testid={`ratio-option-${r}`}>{r}</span>,
            description: RATIO_HINT[r] ? t(RATIO_HINT[r]) : undefined,
          }))}
          value={ratio ? [ratio] : []}
          onChange={(v) => {
            if (v[0]) setRatioPick(v[0]);
          }}
        />
      </section>

      <List className="create-list">
        <List.Item
          extra={<span data-testid="project-current">{projectName}</span>}
          onClick={() => setProjectPickerOpen(true)}
        >
          {t("create.project")}
        </List.Item>
      </List>
      <Picker
        columns={[
          [
            { label: t("assets.uncategorized"), value: UNCATEGORIZED },
            ...projectItems.map((p) => ({ label: p.name, value: p.project_id })),
          ],
        ]}
        visible={projectPickerOpen}
        value={[projectId]}
        onClose={() => setProjectPickerOpen(false)}
        onConfirm={(v) => {
          if (typeof v[0] === "string") setProjectPick(v[0]);
        }}
        cancelText={t("common.cancel")}
      />

      {/* Sticks above the tab bar: the exact cost and the button are always in reach. */}
      <section className="create-summary gl-create-bar" data-testid="create-bar">
        <div className="gl-create-bar-info">
          <div className="gl-create-bar-cost">
            <span>{t("create.cost")}</span>{" "}
            <b data-testid="create-cost">
              {cost !== undefined ? t("create.costValue", { cost: formatCredits(cost) }) : "—"}
            </b>
          </div>
          <div className="gl-create-bar-balance">
            <span>
              {t("create.balance")}{" "}
              <span data-testid="create-balance">{balance !== undefined ? formatCredits(balance) : "—"}</span>
            </span>
            <span>
              {t("create.balanceAfter")}{" "}
              {after !== undefined && after < 0 ? (
                <span className="create-error" data-testid="create-balance-after">
                  {t("create.notEnough")}
                </span>
              ) : (
                <span data-testid="create-balance-after">
                  {after !== undefined ? formatCredits(after) : "—"}
                </span>
              )}
            </span>
          </div>
        </div>
        <Button
          color="primary"
          shape="rounded"
          size="large"
          className="create-submit gl-create-bar-submit"
          loading={submitting}
          disabled={uploading || submitting}
          onClick={() => void submit()}
          data-testid="create-submit"
        >
          {t("create.submit")}
        </Button>
      </section>
    </div>
  );
}
