import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, DotLoading, Input, Stepper, Switch, TextArea, Toast } from "antd-mobile";
import { useRef, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { client, errorMessage, newIdempotencyKey } from "../api.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import "../components/community.css";
import { findListedVideo, isRetryableFailure } from "../generation.tsx";
import { useI18n } from "../i18n.tsx";
import { formatCredits } from "../money.ts";

const TITLE_MAX = 60;
const DESCRIPTION_MAX = 500;
const PROMPT_PRICE_MAX = 100;
const REMIX_FEE_MAX = 50;

function codePoints(s: string): number {
  return Array.from(s).length;
}

/** A title to start from: the prompt's first words. */
function suggestTitle(prompt: string): string {
  const first = prompt.split(/[，。,.!！?？\n]/)[0]?.trim() ?? "";
  return Array.from(first || prompt.trim())
    .slice(0, 20)
    .join("");
}

/** `/assets/videos/:id/publish` — one form, one step: title, description, prompt lock, remix. */
export function PublishPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { id = "" } = useParams();
  const video = useQuery({
    queryKey: ["video", id],
    queryFn: () => client.video(id),
    initialData: () => findListedVideo(queryClient, id),
  });
  const [title, setTitle] = useState<string | null>(null);
  const [description, setDescription] = useState("");
  const [locked, setLocked] = useState(true);
  const [price, setPrice] = useState(5);
  const [allowRemix, setAllowRemix] = useState(true);
  const [fee, setFee] = useState(2);
  const [busy, setBusy] = useState(false);
  const key = useRef<string | null>(null);

  const v = video.data;
  const shownTitle = title ?? (v ? suggestTitle(v.prompt) : "");
  const titleLength = codePoints(shownTitle.trim());
  const titleOk = titleLength >= 1 && titleLength <= TITLE_MAX;

  const publish = async () => {
    if (!v || busy) return;
    if (!titleOk) {
      Toast.show({ content: t("publish.titleRequired") });
      return;
    }
    setBusy(true);
    key.current ??= newIdempotencyKey();
    try {
      const work = await client.publishWork(
        {
          video_id: v.video_id,
          title: shownTitle.trim(),
          description: description.trim(),
          is_prompt_locked: locked,
          prompt_price_credits: locked ? price : 0,
          allow_remix: allowRemix,
          remix_fee_credits: allowRemix ? fee : 0,
        },
        key.current,
      );
      queryClient.setQueryData(["video", v.video_id], { ...v, publish_status: "published" as const });
      void queryClient.invalidateQueries({ queryKey: ["videos"] });
      void queryClient.invalidateQueries({ queryKey: ["me", "home"] });
      void queryClient.invalidateQueries({ queryKey: ["feed"] });
      void queryClient.invalidateQueries({ queryKey: ["userWorks"] });
      void queryClient.invalidateQueries({ queryKey: ["profile"] });
      Toast.show({
        icon: "success",
        content: <span data-testid="publish-toast">{t("publish.done")}</span>,
      });
      navigate("/assets", { replace: true, state: { published: work.work_id } });
    } catch (err) {
      // A network failure keeps the key: publishing again cannot create a second work.
      if (!isRetryableFailure(err)) key.current = null;
      Toast.show({ content: errorMessage(err, t("common.networkError")) });
    } finally {
      setBusy(false);
    }
  };

  if (!v) {
    return (
      <div className="publish-page">
        <PageHeader title={t("publish.title")} fallback="/assets" />
        <div className="center-block">
          {video.isError ? (
            <Button size="small" onClick={() => void video.refetch()}>
              {t("common.loadFailedRetry")}
            </Button>
          ) : (
            <DotLoading />
          )}
        </div>
      </div>
    );
  }

  if (v.publish_status === "published") {
    return (
      <div className="publish-page">
        <PageHeader title={t("publish.title")} fallback="/assets" />
        <div className="center-block muted" data-testid="publish-already">
          {t("publish.already")}
        </div>
      </div>
    );
  }

  return (
    <div className="publish-page" data-testid="publish-page">
      <PageHeader title={t("publish.title")} fallback="/assets" />
      <div className="publish-preview">
        <img src={v.thumbnail_url} alt="" />
        <p>{v.prompt}</p>
      </div>

      <section className="publish-field">
        <div className="publish-label">
          <span>{t("publish.workTitle")}</span>
          <span
            className={titleLength > TITLE_MAX ? "create-error" : "muted"}
            data-testid="publish-title-count"
          >
            {titleLength}/{TITLE_MAX}
          </span>
        </div>
        <Input
          data-testid="publish-title"
          aria-label={t("publish.workTitle")}
          placeholder={t("publish.titlePlaceholder")}
          value={shownTitle}
          onChange={setTitle}
          clearable
        />
      </section>

      <section className="publish-field">
        <div className="publish-label">
          <span>{t("publish.description")}</span>
          <span className="muted">{t("publish.optional")}</span>
        </div>
        <TextArea
          data-testid="publish-description"
          aria-label={t("publish.description")}
          placeholder={t("publish.descriptionPlaceholder")}
          value={description}
          onChange={setDescription}
          maxLength={DESCRIPTION_MAX}
          autoSize={{ minRows: 2, maxRows: 5 }}
          showCount
        />
      </section>

      <section className="publish-field">
        <div className="publish-row">
          <div className="publish-row-text">
            <b>{t("publish.lockPrompt")}</b>
            <div>{locked ? t("publish.lockPromptOn") : t("publish.lockPromptOff")}</div>
          </div>
          <Switch
            checked={locked}
            onChange={setLocked}
            data-testid="publish-lock"
            aria-label={t("publish.lockPrompt")}
          />
        </div>
        {locked && (
          <div className="publish-price">
            <span>{t("publish.promptPrice")}</span>
            <span className="publish-row">
              <Stepper
                data-testid="publish-price"
                min={0}
                max={PROMPT_PRICE_MAX}
                digits={0}
                value={price}
                onChange={(n) => setPrice(Math.max(0, Math.min(PROMPT_PRICE_MAX, Math.round(n ?? 0))))}
              />
              <span className="muted">{t("publish.creditsUnit")}</span>
            </span>
          </div>
        )}
      </section>

      <section className="publish-field">
        <div className="publish-row">
          <div className="publish-row-text">
            <b>{t("publish.allowRemix")}</b>
            <div>{allowRemix ? t("publish.allowRemixOn") : t("publish.allowRemixOff")}</div>
          </div>
          <Switch
            checked={allowRemix}
            onChange={setAllowRemix}
            data-testid="publish-remix"
            aria-label={t("publish.allowRemix")}
          />
        </div>
        {allowRemix && (
          <div className="publish-price">
            <span>{t("publish.remixFee")}</span>
            <span className="publish-row">
              <Stepper
                data-testid="publish-fee"
                min={0}
                max={REMIX_FEE_MAX}
                digits={0}
                value={fee}
                onChange={(n) => setFee(Math.max(0, Math.min(REMIX_FEE_MAX, Math.round(n ?? 0))))}
              />
              <span className="muted">{t("publish.creditsUnit")}</span>
            </span>
          </div>
        )}
      </section>

      <div className="publish-bar">
        <div className="publish-bar-hint">
          {t("publish.incomeHint", {
            price: formatCredits(locked ? price : 0),
            fee: formatCredits(allowRemix ? fee : 0),
          })}
        </div>
        <Button
          block
          color="primary"
          shape="rounded"
          size="large"
          loading={busy}
          disabled={busy || !titleOk}
          data-testid="publish-submit"
          onClick={() => void publish()}
        >
          {t("publish.submit")}
        </Button>
      </div>
    </div>
  );
}
