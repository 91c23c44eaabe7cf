import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Input, Row, Skeleton, Space, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { adminApi, errorMessage } from "../api.ts";
import { PageHeader, QueryError } from "../components/common.tsx";
import { useI18n } from "../i18n.tsx";

/** One word per line, trimmed, blank lines and repeats dropped (the order kept). */
function parseWords(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const w = line.trim();
    if (w && !seen.has(w)) {
      seen.add(w);
      out.push(w);
    }
  }
  return out;
}

/** SPEC §7 moderation: the editable sensitive-word list next to the built-in one. */
export function SensitiveWordsPage() {
  const { t } = useI18n();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ["admin", "sensitive_words"],
    queryFn: () => adminApi.sensitiveWords(),
  });
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (query.data && text === null) setText(query.data.words.join("\n"));
  }, [query.data, text]);

  const words = parseWords(text ?? "");
  const tooLong = words.filter((w) => [...w].length > 32);
  const dirty = query.data ? words.join("\n") !== query.data.words.join("\n") : false;

  const save = () =>
    modal.confirm({
      title: t("words.saveTitle"),
      content: t("words.saveContent", { n: words.length }),
      okText: t("common.save"),
      cancelText: t("common.cancel"),
      onOk: async () => {
        setError(null);
        try {
          const saved = await adminApi.saveSensitiveWords(words);
          queryClient.setQueryData(["admin", "sensitive_words"], saved);
          setText(saved.words.join("\n"));
          void message.success(t("common.saved"));
          await queryClient.invalidateQueries({ queryKey: ["admin", "audit"] });
        } catch (err) {
          setError(errorMessage(err, t("common.networkError")));
        }
      },
    });

  return (
    <div data-testid="words-page">
      <PageHeader
        title={t("menu.sensitiveWords")}
        extra={
          <Space>
            <Button disabled={!dirty} onClick={() => setText(query.data?.words.join("\n") ?? "")}>
              {t("common.reset")}
            </Button>
            <Button
              type="primary"
              disabled={!dirty || tooLong.length > 0}
              onClick={save}
              data-testid="words-save"
            >
              {t("common.save")}
            </Button>
          </Space>
        }
      />
      {query.isError && <QueryError error={query.error} onRetry={() => void query.refetch()} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {query.isPending && <Skeleton active />}
      {query.data && (
        <Row gutter={16}>
          <Col span={14}>
            <Card title={t("words.custom")} extra={t("words.count", { n: words.length })} size="small">
              <Typography.Paragraph type="secondary">{t("words.hint")}</Typography.Paragraph>
              <Input.TextArea
                value={text ?? ""}
                onChange={(e) => setText(e.target.value)}
                autoSize={{ minRows: 14, maxRows: 28 }}
                data-testid="words-text"
              />
              {tooLong.length > 0 && (
                <Alert
                  type="error"
                  showIcon
                  style={{ marginTop: 12 }}
                  title={t("words.tooLong", { words: tooLong.join("、") })}
                />
              )}
            </Card>
          </Col>
          <Col span={10}>
            <Card
              title={t("words.builtin")}
              extra={t("words.builtinCount", { n: query.data.builtin.length })}
              size="small"
            >
              <div className="word-list">
                <Space size={[6, 6]} wrap>
                  {query.data.builtin.map((w) => (
                    <Tag key={w}>{w}</Tag>
                  ))}
                </Space>
              </div>
            </Card>
          </Col>
        </Row>
      )}
    </div>
  );
}
