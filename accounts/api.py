from django.contrib.auth import logout
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import Photo
from accounts.authentication import api_auth_attempt
from accounts.serializers import (
    AuthTokenSerializer, LoginSerializer, PhotoSerializer, PhotoUploadSerializer, RegisterSerializer,
    UserSerializer,
)


def _token_response(user, *, status_code: int) -> Response:
    token, _ = Token.objects.get_or_create(user=user)
    return Response({"token": token.key, "user": UserSerializer(user).data}, status=status_code)


class RegisterApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=RegisterSerializer, responses={201: AuthTokenSerializer}, auth=[])
    def post(self, request):
        api_auth_attempt(action="register", request=request)
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(username=data.validated_data["username"],
                                      email=data.validated_data["email"],
                                      password=data.validated_data["password"])
        return _token_response(user, status_code=status.HTTP_201_CREATED)


class LoginApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=LoginSerializer, responses={200: AuthTokenSerializer}, auth=[])
    def post(self, request):
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        api_auth_attempt(action="login", request=request, username=data.validated_data["username"])
        user = services.user_authenticate(request=request, **data.validated_data)
        return _token_response(user, status_code=status.HTTP_200_OK)


class LogoutApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(generics.RetrieveAPIView):
    serializer_class = UserSerializer

    def get_object(self):
        return self.request.user


class PhotoListApi(generics.ListAPIView):
    serializer_class = PhotoSerializer
    queryset = Photo.objects.none()  # for the schema; requests use get_queryset
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.photo_list(user=self.request.user)

    @extend_schema(request=PhotoUploadSerializer, responses={201: PhotoSerializer})
    def post(self, request):
        data = PhotoUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = services.photo_upload(user=request.user, upload=data.validated_data["image"])
        return Response(PhotoSerializer(photo, context={"request": request}).data, status=status.HTTP_201_CREATED)


class PhotoDetailApi(generics.RetrieveDestroyAPIView):
    serializer_class = PhotoSerializer
    queryset = Photo.objects.none()  # for the schema

    def get_object(self):
        return selectors.photo_get(user=self.request.user, photo_id=self.kwargs["pk"])

    def perform_destroy(self, photo):
        services.photo_delete(user=self.request.user, photo=photo)


class PhotoPrimaryApi(APIView):
    @extend_schema(request=None, responses={200: PhotoSerializer})
    def post(self, request, pk: int):
        photo = selectors.photo_get(user=request.user, photo_id=pk)
        services.photo_set_primary(user=request.user, photo=photo)
        return Response(PhotoSerializer(photo, context={"request": request}).data)


class PhotoFileApi(APIView):
    """The image bytes, to the owner only; user media is never served as public files."""

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        photo = selectors.photo_get(user=request.user, photo_id=pk)
        response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"
        return response
