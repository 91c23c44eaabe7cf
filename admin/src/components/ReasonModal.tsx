import { Alert, Form, Input, Modal } from "antd";
import { type ReactNode, useState } from "react";
import { errorMessage } from "../api.ts";
import { useI18n } from "../i18n.tsx";

/**
 * The confirm dialog of every moderation or money action that takes a reason: the reason is required
 * (2–200 characters, as the contracts want it), the server's message is shown when it refuses.
 */
export function ReasonModal(props: {
  open: boolean;
  title: ReactNode;
  hint?: ReactNode;
  okText: string;
  danger?: boolean;
  /** Least length (the contracts: 2, a withdrawal rejection 1). */
  min?: number;
  testId?: string;
  onSubmit: (reason: string) => Promise<void>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const min = props.min ?? 2;

  const submit = async () => {
    // An invalid form shows its messages; nothing is sent.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    const { reason } = values;
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(reason.trim());
      form.resetFields();
      props.onClose();
    } catch (err) {
      setError(errorMessage(err, t("common.networkError")));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={props.open}
      title={props.title}
      okText={props.okText}
      okButtonProps={{ danger: props.danger, loading: busy, "data-testid": "reason-ok" }}
      cancelText={t("common.cancel")}
      onOk={() => void submit()}
      onCancel={() => {
        setError(null);
        form.resetFields();
        props.onClose();
      }}
      destroyOnHidden
      data-testid={props.testId ?? "reason-modal"}
    >
      {props.hint && (
        <Alert
          type={props.danger ? "warning" : "info"}
          showIcon
          title={props.hint}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form form={form} layout="vertical" requiredMark>
        <Form.Item
          name="reason"
          label={t("common.reason")}
          rules={[
            {
              required: true,
              whitespace: true,
              min,
              max: 200,
              message: t("common.reasonRequired"),
            },
          ]}
        >
          <Input.TextArea
            rows={3}
            maxLength={200}
            showCount
            placeholder={t("common.reasonPlaceholder")}
            data-testid="reason-input"
            autoFocus
          />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} data-testid="reason-error" />}
    </Modal>
  );
}
