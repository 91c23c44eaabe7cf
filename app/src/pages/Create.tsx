import type { Ratio, TaskCreateBody, Wallets } from "@skyriff/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Button,
  Dialog,
  DotLoading,
  List,
  NavBar,
  Picker,
  Selector,
  SpinLoading,
  TextArea,
  Toast,
} from "antd-mobile";
import { AddOutline, CloseOutline, UnorderedListOutline } from "antd-mobile-icons";
import { type ChangeEvent, useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { client, errorMessage, newIdempotencyKey } from "../api.ts";
import { EmptyState } from "../components/EmptyState.tsx";
import {
  isInsufficientCredits,
  isRetryableFailure,
  useConfig,
  useInsufficientCreditsDialog,
} from "../generation.tsx";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { formatCredits } from "../money.ts";

const RATIO_HINT: Record<string, MessageKey> = {
  "9:16": "create.ratioPortrait",
  "16:9": "create.ratioLandscape",
  "1:1": "create.ratioSquare",
};
const UNCATEGORIZED = "none";

type Reference = { assetId: string; preview: string };

export function CreatePage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const showInsufficient = useInsufficientCreditsDialog();

  const config = useConfig();
  // The balance decides what the user is told before confirming: always re-read it on entry.
  const wallets = useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets(), staleTime: 0 });
  const projects = useQuery({ queryKey: ["projects"], queryFn: () => client.projects() });

  const [prompt, setPrompt] = useState("");
  const [modelId, setModelId] = useState<string | null>(null);
  const [durationPick, setDurationPick] = useState<number | null>(null);
  const [ratioPick, setRatioPick] = useState<string | null>(null);
  const [projectId, setProjectId] = useState<string>(UNCATEGORIZED);
  const [projectPickerOpen, setProjectPickerOpen] = useState(false);
  const [reference, setReference] = useState<Reference | null>(null);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  /** The confirmed attempt in flight: a retry after a network error reuses its Idempotency-Key. */
  const attempt = useRef<{ key: string; body: string } | null>(null);

  // Free the local preview when it is replaced or the page goes away.
  useEffect(() => {
    const url = reference?.preview;
    return () => {
      if (url) URL.revokeObjectURL(url);
    };
  }, [reference?.preview]);

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
  const projectName =
    projectId === UNCATEGORIZED
      ? t("assets.uncategorized")
      : (projectItems.find((p) => p.project_id === projectId)?.name ?? t("assets.uncategorized"));

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file) return;
    setUploadError(null);
    setUploading(true);
    const preview = URL.createObjectURL(file);
    try {
      const res = await client.uploadImage(file, file.name);
      setReference({ assetId: res.asset_id, preview });
    } catch (err) {
      URL.revokeObjectURL(preview);
      const message = errorMessage(err, t("common.networkError"));
      setUploadError(message);
      Toast.show({ content: message });
    } finally {
      setUploading(false);
    }
  };

  const send = async (body: TaskCreateBody, key: string): Promise<void> => {
    setSubmitting(true);
    try {
      const res = await client.createTask(body, key);
      attempt.current = null;
      queryClient.setQueryData<Wallets>(["wallets"], (w) =>
        w ? { ...w, credits: { ...w.credits, balance: res.balance_after } } : w,
      );
      void queryClient.invalidateQueries({ queryKey: ["wallets"] });
      void queryClient.invalidateQueries({ queryKey: ["tasks"] });
      Toast.show({ icon: "success", content: t("create.started") });
      navigate("/tasks");
    } catch (err) {
      if (isRetryableFailure(err)) {
        // The request may or may not have arrived: retry with the same key, which cannot charge twice.
        setSubmitting(false);
        const again = await Dialog.confirm({
          content: t("create.networkRetry"),
          confirmText: t("create.retry"),
          cancelText: t("common.cancel"),
        });
        if (again) return send(body, key);
        return;
      }
      attempt.current = null;
      if (isInsufficientCredits(err)) {
        void queryClient.invalidateQueries({ queryKey: ["wallets"] });
        await showInsufficient(err.data as { required?: unknown; current_balance?: unknown } | null);
        return;
      }
      Toast.show({ content: errorMessage(err, t("common.networkError")) });
    } finally {
      setSubmitting(false);
    }
  };

  const submit = async () => {
    if (!model || duration === undefined || !ratio || cost === undefined) return;
    const text = prompt.trim();
    if (!text) {
      Toast.show({ content: t("create.promptRequired") });
      return;
    }
    if (balance !== undefined && balance < cost) {
      await showInsufficient({ required: cost, current_balance: balance });
      return;
    }
    const ok = await Dialog.confirm({
      title: t("create.confirmTitle"),
      content: (
        <div className="confirm-cost" data-testid="confirm-cost">
          {after !== undefined
            ? t("create.confirmContent", { cost: formatCredits(cost), after: formatCredits(after) })
            : t("create.costValue", { cost: formatCredits(cost) })}
        </div>
      ),
      confirmText: t("create.confirmOk"),
      cancelText: t("common.cancel"),
    });
    if (!ok) return;
    const body: TaskCreateBody = {
      prompt: text,
      duration_sec: duration,
      ratio: ratio as Ratio,
      model: model.id,
      project_id: projectId === UNCATEGORIZED ? null : projectId,
      reference_image_asset_id: model.image_to_video && reference ? reference.assetId : null,
    };
    const fingerprint = JSON.stringify(body);
    if (attempt.current?.body !== fingerprint)
      attempt.current = { key: newIdempotencyKey(), body: fingerprint };
    await send(body, attempt.current.key);
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
        <EmptyState testId="create-no-models" title={t("create.noModels")} />
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
            {reference ? (
              <div className="create-upload-tile">
                <img src={reference.preview} alt="" data-testid="reference-preview" />
                <button
                  type="button"
                  className="create-upload-remove"
                  aria-label={t("create.removeImage")}
                  data-testid="reference-remove"
                  onClick={() => setReference(null)}
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
            label: <span data-testid={`model-option-${m.id}`}>{m.name}</span>,
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
          if (typeof v[0] === "string") setProjectId(v[0]);
        }}
        cancelText={t("common.cancel")}
      />

      <section className="create-summary">
        <div className="create-summary-row">
          <span>{t("create.cost")}</span>
          <b data-testid="create-cost">
            {cost !== undefined ? t("create.costValue", { cost: formatCredits(cost) }) : "—"}
          </b>
        </div>
        <div className="create-summary-row">
          <span>{t("create.balance")}</span>
          <span data-testid="create-balance">{balance !== undefined ? formatCredits(balance) : "—"}</span>
        </div>
        <div className="create-summary-row">
          <span>{t("create.balanceAfter")}</span>
          {after !== undefined && after < 0 ? (
            <span className="create-error" data-testid="create-balance-after">
              {t("create.notEnough")}
            </span>
          ) : (
            <span data-testid="create-balance-after">{after !== undefined ? formatCredits(after) : "—"}</span>
          )}
        </div>
        <Button
          block
          color="primary"
          shape="rounded"
          size="large"
          className="create-submit"
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
