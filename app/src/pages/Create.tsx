import type { Ratio, RemixBody, TaskCreateBody } from "@skyriff/contracts";
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
  Switch,
  TextArea,
  Toast,
} from "antd-mobile";
import { AddOutline, CloseOutline, PictureOutline, UnorderedListOutline } from "antd-mobile-icons";
import { type ChangeEvent, useEffect, useRef, useState } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router-dom";
import { client, errorMessage, newIdempotencyKey } from "../api.ts";
import { findCachedWork, setCreditsBalance } from "../community.tsx";
import "../components/community.css";
import { EmptyState } from "../components/EmptyState.tsx";
import {
  type CreateDraft,
  type CreatePrefillState,
  clearDraft,
  isInsufficientCredits,
  isRetryableFailure,
  loadDraft,
  previewFor,
  rememberEstimate,
  rememberPreview,
  saveDraft,
  UNCATEGORIZED,
  useConfig,
  useInsufficientCreditsDialog,
  useStartGeneration,
} from "../generation.tsx";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { modelName, referenceFit, resolutionLabel, resolutionsAscending } from "../models.ts";
import { formatCredits } from "../money.ts";

/** What the upload endpoint takes (backend media service): checked here so a wrong file never travels. */
const UPLOAD_TYPES = ["image/jpeg", "image/png", "image/webp"];
const UPLOAD_MAX_BYTES = 10 * 1024 * 1024;

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
  const queryClient = useQueryClient();
  const showInsufficient = useInsufficientCreditsDialog();
  const [params] = useSearchParams();
  // 二创: /create?remix=<work id> — the original's prompt is kept (and never shown when locked); the
  // user may add to it. The remix fee and the generation cost are shown and charged together.
  const remixId = params.get("remix");
  const remixWork = useQuery({
    queryKey: ["work", remixId],
    queryFn: () => client.work(remixId ?? ""),
    enabled: remixId !== null,
    initialData: () => (remixId ? findCachedWork(queryClient, remixId) : undefined),
  });
  const remix = remixId ? remixWork.data : undefined;
  const [remixing, setRemixing] = useState(false);
  const remixKey = useRef<{ key: string; body: string } | null>(null);
  const [initial] = useState(() =>
    remixId ? { draft: null, prefilled: false } : initialDraft(location.state),
  );

  const config = useConfig();
  // The balance decides what the user is told before confirming: always re-read it on entry.
  const wallets = useQuery({ queryKey: ["wallets"], queryFn: () => client.wallets(), staleTime: 0 });
  const projects = useQuery({ queryKey: ["projects"], queryFn: () => client.projects() });

  const [prompt, setPrompt] = useState(initial.draft?.prompt ?? "");
  const [modelId, setModelId] = useState<string | null>(initial.draft?.model ?? null);
  const [durationPick, setDurationPick] = useState<number | null>(initial.draft?.duration ?? null);
  const [ratioPick, setRatioPick] = useState<string | null>(initial.draft?.ratio ?? null);
  const [resolutionPick, setResolutionPick] = useState<string | null>(initial.draft?.resolution ?? null);
  const [projectPick, setProjectPick] = useState<string>(initial.draft?.projectId ?? UNCATEGORIZED);
  const [projectPickerOpen, setProjectPickerOpen] = useState(false);
  const [referenceId, setReferenceId] = useState<string | null>(initial.draft?.referenceAssetId ?? null);
  const [allowFailover, setAllowFailover] = useState(initial.draft?.allowFailover === true);
  // The size of a reference uploaded on this visit (a draft's or a copied one's is not known here).
  const [referenceSize, setReferenceSize] = useState<{ width: number; height: number } | null>(null);
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
    if (remixId) return;
    saveDraft({
      prompt,
      model: modelId,
      duration: durationPick,
      ratio: ratioPick,
      resolution: resolutionPick,
      projectId: projectPick,
      referenceAssetId: referenceId,
      allowFailover,
    });
  }, [
    remixId,
    prompt,
    modelId,
    durationPick,
    ratioPick,
    resolutionPick,
    projectPick,
    referenceId,
    allowFailover,
  ]);

  const models = config.data?.models ?? [];
  const model = models.find((m) => m.id === modelId) ?? models[0];
  // Only what the chosen model allows; a choice the new model lacks falls back to its first option.
  const duration =
    model && durationPick !== null && model.durations.includes(durationPick)
      ? durationPick
      : model?.durations[0];
  const ratioWanted = ratioPick ?? remix?.ratio ?? null;
  const ratio =
    model && ratioWanted !== null && model.ratios.includes(ratioWanted)
      ? ratioWanted
      : model?.ratios.includes("9:16")
        ? "9:16"
        : model?.ratios[0];
  const resolution =
    model && resolutionPick !== null && model.resolutions.includes(resolutionPick)
      ? resolutionPick
      : model?.resolutions[0];
  const attached = !remix && model?.image_to_video === true && referenceId !== null;
  // Wan, Kling, Hailuo: an image→video keeps the reference's ratio, so there is no ratio to pick.
  const followsImage = attached && model?.image?.output === "follows-image";
  const fit = attached && model?.image && referenceSize ? referenceFit(referenceSize, model.image) : null;
  const maxChars = config.data?.generation.prompt_max_chars ?? 1000;
  const balance = wallets.data?.credits.balance;
  // Credits are integers: an integer product, never a float.
  const genCost = model && duration !== undefined ? model.credits_per_second * duration : undefined;
  const remixFee = remix?.remix_fee_credits ?? 0;
  const cost = genCost !== undefined ? genCost + (remixId ? remixFee : 0) : undefined;
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
    const refused = !UPLOAD_TYPES.includes(file.type)
      ? t("create.imageWrongType")
      : file.size > UPLOAD_MAX_BYTES
        ? t("create.imageTooLarge")
        : null;
    if (refused) {
      setUploadError(refused);
      Toast.show({ content: refused });
      return;
    }
    setUploadError(null);
    setUploading(true);
    const local = URL.createObjectURL(file);
    try {
      const res = await client.uploadImage(file, file.name);
      rememberPreview(res.asset_id, local, res.url);
      setPreviewBroken(false);
      setReferenceId(res.asset_id);
      setReferenceSize({ width: res.width, height: res.height });
    } catch (err) {
      URL.revokeObjectURL(local);
      const message = errorMessage(err, t("common.networkError"));
      setUploadError(message);
      Toast.show({ content: message });
    } finally {
      setUploading(false);
    }
  };

  const sendRemix = async (workId: string, body: RemixBody, key: string): Promise<void> => {
    setRemixing(true);
    try {
      const res = await client.remix(workId, body, key);
      remixKey.current = null;
      rememberEstimate(res.task_id, res.estimated_seconds);
      setCreditsBalance(queryClient, res.balance_after);
      void queryClient.invalidateQueries({ queryKey: ["tasks"] });
      Toast.show({
        icon: "success",
        content: (
          <span data-testid="remix-toast">
            {t("remix.started", {
              fee: formatCredits(res.remix_fee_credits),
              cost: formatCredits(res.cost_credits),
              balance: formatCredits(res.balance_after),
            })}
          </span>
        ),
      });
      navigate("/tasks");
    } catch (err) {
      if (isRetryableFailure(err)) {
        setRemixing(false);
        const again = await Dialog.confirm({
          content: t("create.networkRetry"),
          confirmText: t("create.retry"),
          cancelText: t("common.cancel"),
        });
        if (again) return sendRemix(workId, body, key);
        return;
      }
      remixKey.current = null;
      if (isInsufficientCredits(err)) {
        void queryClient.invalidateQueries({ queryKey: ["wallets"] });
        await showInsufficient(err.data as { required?: unknown; current_balance?: unknown } | null);
        return;
      }
      Toast.show({ content: errorMessage(err, t("common.networkError")) });
    } finally {
      setRemixing(false);
    }
  };

  const submitRemix = async () => {
    if (!remix || !model || duration === undefined || !ratio || genCost === undefined || cost === undefined)
      return;
    if (!remix.allow_remix) {
      Toast.show({ content: t("remix.disabled") });
      return;
    }
    if (balance !== undefined && balance < cost) {
      await showInsufficient({ required: cost, current_balance: balance });
      return;
    }
    const ok = await Dialog.confirm({
      title: t("remix.confirmTitle"),
      content: (
        <div className="confirm-cost" data-testid="remix-confirm">
          <div>
            {t("remix.confirmBreakdown", {
              fee: formatCredits(remixFee),
              cost: formatCredits(genCost),
              total: formatCredits(cost),
            })}
          </div>
          {after !== undefined && (
            <div className="muted">{t("remix.confirmAfter", { after: formatCredits(after) })}</div>
          )}
        </div>
      ),
      confirmText: t("create.confirmOk"),
      cancelText: t("common.cancel"),
    });
    if (!ok) return;
    const delta = prompt.trim();
    const body: RemixBody = {
      ...(delta ? { prompt_delta: delta } : {}),
      duration_sec: duration,
      ratio: ratio as Ratio,
      model: model.id,
      project_id: projectId === UNCATEGORIZED ? null : projectId,
    };
    const fingerprint = JSON.stringify(body);
    if (remixKey.current?.body !== fingerprint)
      remixKey.current = { key: newIdempotencyKey(), body: fingerprint };
    await sendRemix(remix.work_id, body, remixKey.current.key);
  };

  const submit = async () => {
    if (remixId) return submitRemix();
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
      // Only a choice the user had is sent; otherwise the server takes the model's default.
      ...(resolution && model.resolutions.length > 1 ? { resolution } : {}),
      project_id: projectId === UNCATEGORIZED ? null : projectId,
      reference_image_asset_id: model.image_to_video && referenceId ? referenceId : null,
      // Sent only when on: a create without it is refunded if the vendor is down, as before.
      ...(allowFailover ? { allow_failover: true } : {}),
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
      {remixId ? t("remix.title") : t("create.title")}
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

  if (remixId && !remix) {
    return (
      <div className="page">
        {header}
        <div className="center-block">
          {remixWork.isError ? (
            <span className="create-error">{errorMessage(remixWork.error, t("common.networkError"))}</span>
          ) : (
            <DotLoading />
          )}
        </div>
      </div>
    );
  }

  return (
    <div className="page create-page">
      {header}

      {remix && (
        <section className="remix-banner" data-testid="remix-banner" data-work-id={remix.work_id}>
          <img src={remix.cover_url} alt="" />
          <div className="remix-banner-text">
            <b data-testid="remix-source-title" data-user-content>
              {t("remix.from", { title: remix.title })}
            </b>
            <span data-user-content>@{remix.creator.nickname}</span>
            <div className="remix-costs">
              {remix.allow_remix ? (
                <span data-testid="remix-fee">{t("remix.feeLine", { fee: formatCredits(remixFee) })}</span>
              ) : (
                <span className="create-error" data-testid="remix-disabled">
                  {t("remix.disabled")}
                </span>
              )}
              <span>
                {remix.is_prompt_locked && !remix.viewer.is_prompt_unlocked && !remix.viewer.is_own
                  ? t("remix.promptKeptLocked")
                  : t("remix.promptKept")}
              </span>
            </div>
          </div>
        </section>
      )}

      <section className="create-section">
        <div className="create-label">{remix ? t("remix.delta") : t("create.prompt")}</div>
        <TextArea
          className="create-prompt"
          placeholder={remix ? t("remix.deltaPlaceholder") : t("create.promptPlaceholder")}
          value={prompt}
          onChange={setPrompt}
          maxLength={remix ? 500 : maxChars}
          autoSize={{ minRows: 4, maxRows: 10 }}
          showCount={(length, max) => (
            <span data-testid="prompt-count">
              {length}/{max}
            </span>
          )}
        />
      </section>

      {!remix && (
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
                    onClick={() => {
                      setReferenceId(null);
                      setReferenceSize(null);
                    }}
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
                ) : fit && referenceSize && model.image && (fit.small || fit.padded) ? (
                  <div className="muted" data-testid="reference-fit">
                    {fit.small && (
                      <div>
                        {t("create.imageSmall", {
                          width: referenceSize.width,
                          height: referenceSize.height,
                          min: model.image.min_side,
                        })}
                      </div>
                    )}
                    {fit.padded && <div>{t("create.imagePadded")}</div>}
                  </div>
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
      )}

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
        {/* A 二创 request has no such choice (RemixBody): its model is kept or refunded. */}
        {!remix && (
          <div className="create-toggle" data-testid="failover-row">
            <div className="create-toggle-text">
              <b>{t("create.failover")}</b>
              <div className="muted">{t("create.failoverHint")}</div>
            </div>
            <Switch
              checked={allowFailover}
              onChange={setAllowFailover}
              data-testid="failover-switch"
              aria-label={t("create.failover")}
            />
          </div>
        )}
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

      {model.resolutions.length > 1 && (
        <section className="create-section">
          <div className="create-label">{t("create.resolution")}</div>
          <Selector<string>
            data-testid="resolution-picker"
            columns={3}
            options={resolutionsAscending(model.resolutions).map((r) => ({
              value: r,
              label: <span data-testid={`resolution-option-${r}`}>{resolutionLabel(r)}</span>,
              description: r === model.resolutions[0] ? t("create.resolutionDefault") : undefined,
            }))}
            value={resolution ? [resolution] : []}
            onChange={(v) => {
              if (v[0]) setResolutionPick(v[0]);
            }}
          />
        </section>
      )}

      <section className="create-section">
        <div className="create-label">{t("create.ratio")}</div>
        {followsImage ? (
          <div className="create-hint" data-testid="ratio-follows-image">
            <b>{t("create.ratioFollowsImage")}</b>
            <div className="muted">{t("create.ratioFollowsImageHint")}</div>
          </div>
        ) : (
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
        )}
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
            {remix && genCost !== undefined && (
              <span className="muted" data-testid="remix-cost-split">
                {" "}
                {t("remix.split", { fee: formatCredits(remixFee), cost: formatCredits(genCost) })}
              </span>
            )}
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
          loading={submitting || remixing}
          disabled={uploading || submitting || remixing || (remix !== undefined && !remix.allow_remix)}
          onClick={() => void submit()}
          data-testid="create-submit"
        >
          {remix ? t("remix.submit") : t("create.submit")}
        </Button>
      </section>
    </div>
  );
}
