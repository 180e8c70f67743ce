"""Forms of the evaluation chain: one form per step (effect, comment, 今後の方針, what the page
showed of the step) and the organization's choice of steps. The words are the core's (the four
effect categories, the five policies); services/evaluation.py checks them again."""

from __future__ import annotations

from typing import Any

from django import forms

from kpiledger.web.ledger.services import evaluation as service

Step = service.Step

EFFECT_CHOICES = [(word, word) for word in service.EFFECTS]
POLICY_CHOICES = [(word, word) for word in service.POLICIES]
STEP_CHOICES = [(step.value, service.label(step)) for step in service.STEPS]

INVALID_EFFECT = "事業効果は4つの区分から選んでください / choose one of the four effect categories"
INVALID_POLICY = "今後の方針は5つから選んでください / choose one of the five policies"


class StepForm(forms.Form):
    """One step of the chain. Each step's form has the step as its prefix (`committee-effect`
    …) so that every step's form can be on one page."""

    step = forms.CharField(widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput, max_length=40)
    effect = forms.ChoiceField(
        label="事業効果 / effect",
        choices=EFFECT_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": INVALID_EFFECT, "required": INVALID_EFFECT},
    )
    comment = forms.CharField(
        label="コメント / comment",
        required=False,
        max_length=service.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    policy = forms.ChoiceField(
        label="今後の方針 / future policy",
        choices=POLICY_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": INVALID_POLICY, "required": INVALID_POLICY},
    )
    reason = forms.CharField(
        label="変更の理由（任意） / reason for the change (optional)",
        required=False,
        max_length=service.MAX_REASON,
        help_text="履歴に記録されます / recorded in the history",
    )

    def __init__(self, *args: Any, step: Step, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", step.value)
        super().__init__(*args, **kwargs)
        self.step_value = step
        self.fields["step"].initial = step.value
        if step == Step.COMMITTEE:
            self.fields["effect"].required = True
        if step == Step.FINAL:
            self.fields["policy"].required = True
            self.fields["comment"].label = "今後の方針の理由 / reason for the policy"
        if step == Step.COMMITTEE:
            self.fields["comment"].label = "外部有識者からの意見 / the committee's opinion"

    def clean_step(self) -> str:
        value = str(self.cleaned_data.get("step", ""))
        if value != self.step_value.value:
            raise forms.ValidationError("段階が違います / not this step")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            service.validate(
                self.step_value,
                cleaned.get("effect") or "",
                (cleaned.get("comment") or "").strip(),
                cleaned.get("policy") or "",
            )
        except service.EvaluationError as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned


class StepsForm(forms.Form):
    """The steps an organization runs (at least one; kept in the canonical order)."""

    steps = forms.MultipleChoiceField(
        label="評価の手順 / evaluation steps",
        choices=STEP_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "評価の段階を少なくとも1つ選んでください"
            " / choose at least one evaluation step",
            "invalid_choice": "評価の手順にない段階です / not an evaluation step",
        },
    )
